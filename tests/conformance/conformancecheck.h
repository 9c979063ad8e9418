// What a conformance burst came back with (from Loopscope or from real uvicorn), and the
// behaviour every scenario must show, stated once and checked on both sides.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace conformance {

struct Response {
    qint64 id = -1;
    QString path;
    double done = -1; // seconds from the burst start; < 0 when it never completed
    int status = 0;
    QString body;
    int process = -1; // worker that served it (Loopscope only), -1 = unknown
};

struct Outcome {
    QString side; // "loopscope" or "uvicorn"
    QList<Response> requests;
    QStringList prints;
    QList<double> printTimes; // parallel to prints; empty when unknown
};

struct Scenario {
    QString name;
    QString path;
    int requests = 1;
    int connections = 1;
    double extraAt = -1;
    QString extraPath;
    int workers = 1;
    double settle = 0.15;
    QJsonObject json; // as read
};

QList<Scenario> loadScenarios(const QString &file, QString *error);
// One entry of reference.json / real_fastapi.py's output.
Outcome outcomeFromJson(const QString &side, const QJsonObject &entry);

// Reference times the CPU-bound scenarios are measured against (per side).
struct Calibration {
    double cpuOne = -1; // cpu_def_1's completion time
};

// The behaviour `scenario` must show, in plain words; returns what did not hold
// (empty = conforms). With --workers, a side that does not say which worker served a
// request (real uvicorn: the kernel picks the accepting process) may show either shape.
QStringList check(const Scenario &scenario, const Outcome &outcome, const Calibration &calibration);

// |actual - expected| <= 50 ms + 5 %
bool near(double actual, double expected, double slack = 0.05);

} // namespace conformance
