// A conformance scenario on Loopscope: the engine in process (host::EngineCore), the
// burst from the burst client, prints and worker placement from the trace session.
#include "loopscoperunner.h"

#include "host/benchrun.h"
#include "host/enginecore.h"

#include <QFile>

namespace conformance {

std::optional<Outcome> runOnLoopscope(const QString &appFile, const Scenario &scenario, bool limiterLifo,
                                      QString *error)
{
    QFile f(appFile);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(appFile);
        return std::nullopt;
    }
    const QString source = QString::fromUtf8(f.readAll());

    loopscope::host::EngineSettings settings;
    settings.limiterLifo = limiterLifo;
    settings.workers = scenario.workers;
    settings.accessLog = false;
    loopscope::host::EngineCore engine;
    engine.setPrintSink({}); // prints are read from the trace
    QList<loopscope::host::SourceError> errors;
    if (!engine.start(source, appFile, settings, error, &errors)) {
        if (!errors.isEmpty())
            *error += QStringLiteral("\n") + errors.first().traceback;
        return std::nullopt;
    }

    loopscope::http::BurstPlan plan;
    plan.pathTemplate = scenario.path.toStdString();
    plan.requests = scenario.requests;
    plan.connections = scenario.connections;
    plan.timeout = 20;
    if (!scenario.extraPath.isEmpty())
        plan.extras.push_back({scenario.extraAt, scenario.extraPath.toStdString()});
    const loopscope::host::BenchResult r = loopscope::host::runBurst(engine, plan, {}, nullptr, std::max(0.1, scenario.settle));
    engine.stop();

    Outcome o;
    o.side = QStringLiteral("loopscope");
    for (const loopscope::http::RequestRecord &rec : r.records) {
        Response resp;
        resp.id = rec.id;
        resp.path = QString::fromStdString(rec.path);
        resp.done = rec.ok() ? rec.done : -1;
        resp.status = rec.status;
        resp.body = rec.ok() ? QString::fromStdString(rec.body) : QString::fromStdString(rec.error);
        o.requests.append(resp);
    }
    // Which worker served each request (the session numbers requests as the client does).
    for (Response &resp : o.requests)
        if (const loopscope::trace::RequestTimeline *t = r.session.request(resp.id))
            resp.process = t->process;
    for (const loopscope::trace::PrintLine &p : r.session.prints) {
        o.prints.append(QString::fromStdString(p.text));
        o.printTimes.append(p.t);
    }
    return o;
}

} // namespace conformance
