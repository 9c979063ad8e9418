// A golden program of tests/lang/golden: its source and the `# expect` comments that
// say what CPython 3.11 printed running it.
#pragma once

#include <QDir>
#include <QFile>
#include <QStringList>

struct GoldenCase {
    QString path;
    QString name;
    QStringList stdoutLines;    // `# expect: <line>`, in order
    QString stderrLastLine;     // `# expect stderr last line: <text>`, empty if none
    int exitCode = 0;           // `# expect exit: <n>`
    QByteArray source;
};

inline QString goldenDir()
{
    return QStringLiteral(LOOPSCOPE_SOURCE_DIR "/tests/lang/golden");
}

inline QList<GoldenCase> readGoldenCases()
{
    QList<GoldenCase> out;
    const QDir dir(goldenDir());
    const QStringList names = dir.entryList({QStringLiteral("*.py")}, QDir::Files, QDir::Name);
    for (const QString &name : names) {
        GoldenCase c;
        c.name = name;
        c.path = dir.filePath(name);
        QFile f(c.path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        c.source = f.readAll();
        const QList<QByteArray> lines = c.source.split('\n');
        for (const QByteArray &raw : lines) {
            const QString line = QString::fromUtf8(raw);
            if (line == QLatin1String("# expect:"))
                c.stdoutLines << QString();
            else if (line.startsWith(QLatin1String("# expect: ")))
                c.stdoutLines << line.mid(10);
            else if (line.startsWith(QLatin1String("# expect stderr last line: ")))
                c.stderrLastLine = line.mid(27);
            else if (line.startsWith(QLatin1String("# expect exit: ")))
                c.exitCode = line.mid(15).toInt();
        }
        out << c;
    }
    return out;
}
