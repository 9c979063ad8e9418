// Flag parsing for `loopscope serve` and `loopscope bench`.
#include "commandline.h"

#include <QFileInfo>
#include <QHostAddress>

#include <cmath>
#include <functional>
#include <map>

namespace loopscope::host {

const char *const kServeUsage =
    "usage: loopscope serve FILE.py [--port 8000] [--threads 40] [--workers 1] [--gil on|off]\n"
    "                       [--limiter fifo|lifo] [--limit-concurrency N] [--host 127.0.0.1]\n"
    "                       [--timeout-keep-alive 5] [--no-access-log]\n";

const char *const kBenchUsage =
    "usage: loopscope bench FILE.py --path \"/x?i={i}\" --requests N --connections C\n"
    "                       [--extra \"0.2:/other?i=99\"]... [--keep-alive on|off] [--rate R]\n"
    "                       [--duration S] [--threads 40] [--limiter fifo|lifo] [--workers 1]\n"
    "                       [--gil on|off] [--json OUT.json] [--csv OUT.csv]\n"
    "                       [--trace OUT.perfetto.json] [--charts DIR] [--quiet] [--no-trace]\n"
    "--no-trace runs the engine with tracing off (what tracing costs, compared with a traced\n"
    "run): requests and summary still come from the client; loop, pool and prints stay empty.\n";

namespace {

// Walks `args`: the one positional FILE and `--name value` / `--name=value` flags.
class FlagReader {
public:
    using Handler = std::function<bool(const QString &value)>; // false = bad value
    struct Flag {
        bool takesValue = true;
        Handler handler;
        QString expects; // for the error message: "an integer >= 1"
    };

    void add(const QString &name, QString expects, Handler h) { m_flags[name] = {true, std::move(h), std::move(expects)}; }
    void addSwitch(const QString &name, std::function<void()> h)
    {
        m_flags[name] = {false, [h](const QString &) { h(); return true; }, {}};
    }

    bool parse(const QStringList &args, QString *file, QString *error, bool *help)
    {
        for (qsizetype i = 0; i < args.size(); ++i) {
            const QString &a = args[i];
            if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
                if (help)
                    *help = true;
                return false;
            }
            if (a.startsWith(QLatin1String("-")) && a.size() > 1) {
                QString name = a, value;
                bool inlineValue = false;
                if (const qsizetype eq = a.indexOf(QLatin1Char('=')); eq > 0) {
                    name = a.left(eq);
                    value = a.mid(eq + 1);
                    inlineValue = true;
                }
                auto it = m_flags.find(name);
                if (it == m_flags.end()) {
                    *error = QStringLiteral("unknown option %1").arg(name);
                    return false;
                }
                if (!it->second.takesValue) {
                    if (inlineValue) {
                        *error = QStringLiteral("option %1 takes no value").arg(name);
                        return false;
                    }
                    it->second.handler({});
                    continue;
                }
                if (!inlineValue) {
                    if (i + 1 >= args.size()) {
                        *error = QStringLiteral("option %1 needs a value (%2)").arg(name, it->second.expects);
                        return false;
                    }
                    value = args[++i];
                }
                if (!it->second.handler(value)) {
                    *error = QStringLiteral("option %1: expected %2, got '%3'").arg(name, it->second.expects, value);
                    return false;
                }
                continue;
            }
            if (!file->isEmpty()) {
                *error = QStringLiteral("unexpected argument '%1'").arg(a);
                return false;
            }
            *file = a;
        }
        if (file->isEmpty()) {
            *error = QStringLiteral("missing FILE.py");
            return false;
        }
        return true;
    }

private:
    std::map<QString, Flag> m_flags;
};

FlagReader::Handler intFlag(int *out, int min, int max = 1 << 30)
{
    return [=](const QString &v) {
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < min || n > max)
            return false;
        *out = n;
        return true;
    };
}

FlagReader::Handler doubleFlag(double *out, double min, double max = 1e9)
{
    return [=](const QString &v) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (!ok || !std::isfinite(d) || d < min || d > max)
            return false;
        *out = d;
        return true;
    };
}

FlagReader::Handler onOffFlag(bool *out)
{
    return [=](const QString &v) {
        if (v == QLatin1String("on") || v == QLatin1String("true") || v == QLatin1String("1")) {
            *out = true;
            return true;
        }
        if (v == QLatin1String("off") || v == QLatin1String("false") || v == QLatin1String("0")) {
            *out = false;
            return true;
        }
        return false;
    };
}

FlagReader::Handler stringFlag(QString *out)
{
    return [=](const QString &v) {
        if (v.isEmpty())
            return false;
        *out = v;
        return true;
    };
}

// The engine flags both verbs share.
void addEngineFlags(FlagReader &r, EngineSettings *s)
{
    r.add(QStringLiteral("--threads"), QStringLiteral("an integer >= 1"), intFlag(&s->threads, 1, 100000));
    r.add(QStringLiteral("--workers"), QStringLiteral("an integer from 1 to 64"), intFlag(&s->workers, 1, 64));
    r.add(QStringLiteral("--gil"), QStringLiteral("on or off"), onOffFlag(&s->gil));
    r.add(QStringLiteral("--limiter"), QStringLiteral("fifo or lifo"), [s](const QString &v) {
        if (v == QLatin1String("fifo") || v == QLatin1String("lifo")) {
            s->limiterLifo = v == QLatin1String("lifo");
            return true;
        }
        return false;
    });
    r.add(QStringLiteral("--executor-threads"), QStringLiteral("an integer >= 1"),
          intFlag(&s->defaultExecutorThreads, 1, 10000));
    r.add(QStringLiteral("--switch-interval"), QStringLiteral("seconds > 0"), [s](const QString &v) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (!ok || !(d > 0) || d > 10)
            return false;
        s->switchInterval = d;
        return true;
    });
    r.add(QStringLiteral("--limit-concurrency"), QStringLiteral("an integer >= 1"),
          intFlag(&s->limitConcurrency, 1, 1000000));
    r.add(QStringLiteral("--timeout-keep-alive"), QStringLiteral("seconds >= 0"), doubleFlag(&s->keepAliveTimeout, 0, 3600));
    r.add(QStringLiteral("--cpu-count"), QStringLiteral("an integer >= 1"), intFlag(&s->cpuCount, 1, 1024));
}

} // namespace

QString checkSourceFile(const QString &file)
{
    const QFileInfo fi(file);
    const QString shown = fi.absoluteFilePath();
    if (!fi.exists())
        return QStringLiteral("can't open file '%1': [Errno 2] No such file or directory").arg(shown);
    if (fi.isDir())
        return QStringLiteral("can't open file '%1': [Errno 21] Is a directory").arg(shown);
    if (!fi.isReadable())
        return QStringLiteral("can't open file '%1': [Errno 13] Permission denied").arg(shown);
    return {};
}

std::optional<ServeOptions> parseServeArgs(const QStringList &args, QString *error, bool *help)
{
    ServeOptions o;
    o.engine.port = 8000;
    FlagReader r;
    addEngineFlags(r, &o.engine);
    r.add(QStringLiteral("--port"), QStringLiteral("a port from 0 to 65535"), [&o](const QString &v) {
        bool ok = false;
        const uint p = v.toUInt(&ok);
        if (!ok || p > 65535)
            return false;
        o.engine.port = quint16(p);
        return true;
    });
    r.add(QStringLiteral("--host"), QStringLiteral("a loopback address (127.0.0.1)"), [&o](const QString &v) {
        // Loopscope serves on the loopback interface only.
        const QHostAddress a(v == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : v);
        if (a.isNull() || !a.isLoopback())
            return false;
        o.engine.bindAddress = a.toString();
        return true;
    });
    r.addSwitch(QStringLiteral("--no-access-log"), [&o] { o.engine.accessLog = false; });
    r.addSwitch(QStringLiteral("--access-log"), [&o] { o.engine.accessLog = true; });
    QString dummy;
    if (!r.parse(args, &o.file, error ? error : &dummy, help))
        return std::nullopt;
    return o;
}

std::optional<BenchOptions> parseBenchArgs(const QStringList &args, QString *error, bool *help)
{
    BenchOptions o;
    o.engine.accessLog = false;
    FlagReader r;
    addEngineFlags(r, &o.engine);
    r.add(QStringLiteral("--path"), QStringLiteral("a path starting with /"), [&o](const QString &v) {
        if (!v.startsWith(QLatin1Char('/')))
            return false;
        o.path = v;
        return true;
    });
    r.add(QStringLiteral("--requests"), QStringLiteral("an integer >= 1"), intFlag(&o.requests, 1, 10000000));
    r.add(QStringLiteral("--connections"), QStringLiteral("an integer from 1 to 10000"), intFlag(&o.connections, 1, 10000));
    r.add(QStringLiteral("--extra"), QStringLiteral("AT:PATH, e.g. 0.2:/other?i=99"), [&o](const QString &v) {
        const qsizetype colon = v.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return false;
        bool ok = false;
        const double at = v.left(colon).toDouble(&ok);
        const QString path = v.mid(colon + 1);
        if (!ok || !std::isfinite(at) || at < 0 || at > 3600 || !path.startsWith(QLatin1Char('/')))
            return false;
        o.extras.append({at, path});
        return true;
    });
    r.add(QStringLiteral("--keep-alive"), QStringLiteral("on or off"), onOffFlag(&o.keepAlive));
    r.add(QStringLiteral("--rate"), QStringLiteral("requests per second > 0"), [&o](const QString &v) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (!ok || !(d > 0) || d > 1e7)
            return false;
        o.rate = d;
        return true;
    });
    r.add(QStringLiteral("--duration"), QStringLiteral("seconds > 0"), [&o](const QString &v) {
        bool ok = false;
        const double d = v.toDouble(&ok);
        if (!ok || !(d > 0) || d > 3600)
            return false;
        o.duration = d;
        return true;
    });
    r.add(QStringLiteral("--json"), QStringLiteral("a file name"), stringFlag(&o.json));
    r.add(QStringLiteral("--csv"), QStringLiteral("a file name"), stringFlag(&o.csv));
    r.add(QStringLiteral("--trace"), QStringLiteral("a file name"), stringFlag(&o.trace));
    r.add(QStringLiteral("--charts"), QStringLiteral("a folder"), stringFlag(&o.charts));
    r.addSwitch(QStringLiteral("--quiet"), [&o] { o.quiet = true; });
    r.addSwitch(QStringLiteral("--no-trace"), [&o] { o.traced = false; });
    QString dummy;
    QString *err = error ? error : &dummy;
    if (!r.parse(args, &o.file, err, help))
        return std::nullopt;
    if (o.path.isEmpty()) {
        *err = QStringLiteral("missing --path (e.g. --path \"/x?i={i}\")");
        return std::nullopt;
    }
    if (o.connections == 0)
        o.connections = std::min(o.requests, 10000);
    return o;
}

} // namespace loopscope::host
