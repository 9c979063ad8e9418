// The Debian package: `cpack -G DEB` in the build tree makes a .deb that declares its
// Debian dependencies and holds the binary, the desktop entry, the icons, the MIME type
// and the lessons. As root in CI it is installed with dpkg -i and the installed
// `loopscope --version` (and, when the engine is built, a headless bench) must work.
#include <QtTest>

#include <unistd.h>

class tst_Package : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_out;
    QString m_deb;

    static QString run(const QString &program, const QStringList &args, int *exitCode = nullptr,
                       const QString &workDir = {}, int timeoutMs = 600000)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        if (!workDir.isEmpty())
            p.setWorkingDirectory(workDir);
        p.start(program, args);
        if (!p.waitForStarted(10000)) {
            if (exitCode)
                *exitCode = -1;
            return p.errorString();
        }
        p.waitForFinished(timeoutMs);
        if (exitCode)
            *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return QString::fromLocal8Bit(p.readAll());
    }

private slots:
    void buildsTheDeb()
    {
        const QString cpack = qEnvironmentVariable("LOOPSCOPE_CPACK", QStringLiteral("cpack"));
        if (QStandardPaths::findExecutable(QStringLiteral("dpkg-deb")).isEmpty())
            QSKIP("dpkg-deb is not installed");
        // Install the build tree into a staging root, then let CPack package that root: the
        // package holds exactly what `cmake --install` installs, without CPack rebuilding
        // the whole project first (its `preinstall` step).
        const QString cmake = qEnvironmentVariable("LOOPSCOPE_CMAKE", QStringLiteral("cmake"));
        const QString root = m_out.filePath(QStringLiteral("root"));
        int rc = 0;
        QString log = run(cmake, {QStringLiteral("--install"), QStringLiteral(LOOPSCOPE_BINARY_DIR),
                                  QStringLiteral("--prefix"), root}, &rc);
        QVERIFY2(rc == 0, qPrintable(log));
        QVERIFY2(QFileInfo(root + QStringLiteral("/bin/loopscope")).isExecutable(), "loopscope is not built");
        log = run(cpack, {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("-B"), m_out.path(),
                          QStringLiteral("-D"), QStringLiteral("CPACK_INSTALL_CMAKE_PROJECTS="),
                          QStringLiteral("-D"), QStringLiteral("CPACK_INSTALLED_DIRECTORIES=%1;/usr").arg(root)},
                  &rc, QStringLiteral(LOOPSCOPE_BINARY_DIR));
        QVERIFY2(rc == 0, qPrintable(log));
        const QStringList debs = QDir(m_out.path()).entryList({QStringLiteral("*.deb")}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        m_deb = QDir(m_out.path()).filePath(debs.first());
        QVERIFY(debs.first().startsWith(QStringLiteral("loopscope_" LOOPSCOPE_VERSION)));
    }

    void declaresDependencies()
    {
        if (m_deb.isEmpty())
            QSKIP("no package");
        int rc = 0;
        const QString depends = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-f"), m_deb, QStringLiteral("Depends")}, &rc);
        QCOMPARE(rc, 0);
        for (const char *pkg : {"libqt6core6", "libqt6widgets6", "libqcustomplot", "libqscintilla2-qt6", "qt6-qpa-plugins", "libc6"})
            QVERIFY2(depends.contains(QLatin1String(pkg)), qPrintable(QStringLiteral("%1 not in Depends: %2").arg(QLatin1String(pkg), depends)));
    }

    void holdsTheFiles()
    {
        if (m_deb.isEmpty())
            QSKIP("no package");
        int rc = 0;
        const QString list = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), m_deb}, &rc);
        QCOMPARE(rc, 0);
        for (const char *path : {"./usr/bin/loopscope", "./usr/share/applications/loopscope.desktop",
                                 "./usr/share/mime/packages/loopscope.xml",
                                 "./usr/share/icons/hicolor/scalable/apps/loopscope.svg",
                                 "./usr/share/icons/hicolor/256x256/apps/loopscope.png",
                                 "./usr/share/loopscope/lessons/lessons.json",
                                 "./usr/share/loopscope/lessons/01_async_time_sleep.py"})
            QVERIFY2(list.contains(QLatin1String(path)), path);
    }

    void installsAndRuns()
    {
        if (m_deb.isEmpty())
            QSKIP("no package");
        if (geteuid() != 0 || !qEnvironmentVariableIsSet("CI"))
            QSKIP("installing into the system only as root in CI (CI set)");
        int rc = 0;
        QString log = run(QStringLiteral("dpkg"), {QStringLiteral("-i"), m_deb}, &rc);
        QVERIFY2(rc == 0, qPrintable(log));
        log = run(QStringLiteral("/usr/bin/loopscope"), {QStringLiteral("--version")}, &rc);
        QCOMPARE(rc, 0);
        QVERIFY2(log.contains(QStringLiteral("loopscope " LOOPSCOPE_VERSION)), qPrintable(log));

        // The headless bench from the installed copy, once the verb exists.
        run(QStringLiteral("/usr/bin/loopscope"), {QStringLiteral("bench"), QStringLiteral("--help")}, &rc);
        if (rc != 0)
            return;
        const QString json = m_out.filePath(QStringLiteral("bench.json"));
        log = run(QStringLiteral("/usr/bin/loopscope"),
                  {QStringLiteral("bench"), QStringLiteral("/usr/share/loopscope/lessons/01_async_time_sleep.py"),
                   QStringLiteral("--path"), QStringLiteral("/ping?i={i}"), QStringLiteral("--requests"), QStringLiteral("2"),
                   QStringLiteral("--connections"), QStringLiteral("2"), QStringLiteral("--json"), json},
                  &rc, {}, 60000);
        QVERIFY2(rc == 0, qPrintable(log));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(o.value(QStringLiteral("requests")).toArray().size(), 2);
        // async def + time.sleep: the second response comes about a second after the first.
        QVERIFY(o.value(QStringLiteral("summary")).toObject().value(QStringLiteral("wall")).toDouble() > 1.7);
    }
};

QTEST_GUILESS_MAIN(tst_Package)
#include "tst_package.moc"
