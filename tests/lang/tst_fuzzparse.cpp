// The front end on hostile input: random bytes, mutated programs, deep nesting and
// huge files must give a module or a SyntaxError quickly — never a crash, a stack
// overflow or a hang.
#include "lang/parser.h"
#include "lang/staticcheck.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <random>

using namespace loopscope::lang;

namespace {

// Parses, formats the error, runs the static checks: everything a caller might do.
bool survives(const std::string &source)
{
    const ParseResult r = parseModule(source, "fuzz.py");
    if (r.error) {
        const std::string shown = formatSyntaxError(*r.error);
        return !r.module && !shown.empty() && r.error->line >= 0;
    }
    if (!r.module)
        return false;
    (void)checkModule(*r.module);
    (void)dumpModule(*r.module);
    return true;
}

// Concatenation without the temporaries GCC 12 misreads (-Wrestrict).
std::string cat(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (auto p : parts)
        out.append(p);
    return out;
}

std::string repeat(const std::string &s, int n)
{
    std::string out;
    out.reserve(s.size() * static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

std::vector<std::string> corpus()
{
    std::vector<std::string> out;
    for (const char *name : {"parse_ok.cases", "parse_errors.cases", "seeds_app.py"}) {
        QFile f(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/tests/lang/data/") + QString::fromLatin1(name));
        if (f.open(QIODevice::ReadOnly)) {
            const QByteArray all = f.readAll();
            for (const QByteArray &part : all.split('='))
                if (part.size() > 4)
                    out.emplace_back(part.constData(), static_cast<std::size_t>(part.size()));
        }
    }
    return out;
}

} // namespace

class tst_FuzzParse : public QObject {
    Q_OBJECT
private slots:
    void randomBytes();
    void randomTokens();
    void mutatedCorpus();
    void deepNesting_data();
    void deepNesting();
    void millionLines();
};

void tst_FuzzParse::randomBytes()
{
    std::mt19937 rng(1234);
    for (int i = 0; i < 3000; ++i) {
        std::string s(rng() % 200, '\0');
        for (auto &c : s)
            c = static_cast<char>(rng() % 256);
        QVERIFY(survives(s));
    }
}

void tst_FuzzParse::randomTokens()
{
    // Plausible pieces in random order reach much deeper into the parser than bytes.
    static const char *const pieces[] = {
        "x", "y", " ", "\n", "    ", "\t", "(", ")", "[", "]", "{", "}", ":", ",", ".", ";", "=", "==", "+", "-",
        "*", "**", "/", "//", "%", "@", "->", ":=", "lambda", "if", "else", "elif", "for", "in", "not", "and", "or",
        "def", "async", "await", "class", "return", "yield", "from", "import", "as", "with", "try", "except",
        "finally", "while", "break", "continue", "pass", "global", "nonlocal", "del", "assert", "raise", "is", "1",
        "0x1f", "1.5e3", "'s'", "\"t\"", "f'{x}'", "f\"{x!r:>{w}}\"", "'''", "b'x'", "#c", "\\\n", "...", "None",
        "True", "*args", "**kw", "@app.get('/')", "f'{", "}", "'", "\xc3\xa9", "\xff"};
    std::mt19937 rng(99);
    const std::size_t n = sizeof pieces / sizeof pieces[0];
    for (int i = 0; i < 4000; ++i) {
        std::string s;
        const int len = 1 + static_cast<int>(rng() % 40);
        for (int k = 0; k < len; ++k)
            s += pieces[rng() % n];
        QVERIFY2(survives(s), s.c_str());
    }
}

void tst_FuzzParse::mutatedCorpus()
{
    const auto files = corpus();
    QVERIFY(files.size() > 10);
    std::mt19937 rng(7);
    static const char kInsert[] = "()[]{}:,.=\n \t'\"\\#fx1*@";
    for (int round = 0; round < 20; ++round) {
        for (const auto &original : files) {
            std::string s = original;
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits && !s.empty(); ++e) {
                const std::size_t at = rng() % s.size();
                switch (rng() % 4) {
                case 0: s.erase(at, 1 + rng() % 3); break;
                case 1: s.insert(at, 1, kInsert[rng() % (sizeof kInsert - 1)]); break;
                case 2: s[at] = kInsert[rng() % (sizeof kInsert - 1)]; break;
                default: s.insert(at, s.substr(at, rng() % 20)); break;
                }
            }
            QVERIFY(survives(s));
        }
    }
}

void tst_FuzzParse::deepNesting_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<bool>("ok");
    const auto row = [](const char *name, const std::string &s, bool ok) {
        QTest::addRow("%s", name) << QByteArray(s.data(), static_cast<qsizetype>(s.size())) << ok;
    };
    row("199 parentheses", cat({repeat("(", 199), "1", repeat(")", 199), "\n"}), true);
    row("10000 parentheses", cat({repeat("(", 10000), repeat(")", 10000), "\n"}), false);
    row("10000 brackets", cat({"x = ", repeat("[", 10000), "\n"}), false);
    row("10000 braces and f-strings", repeat("{f'", 10000), false);
    row("1000 unary minus", cat({repeat("-", 900), "1\n"}), true);
    row("20000 unary minus", cat({repeat("-", 20000), "1\n"}), false);
    row("20000 not", cat({repeat("not ", 20000), "x\n"}), false);
    row("20000 attributes", cat({"a", repeat(".b", 20000), "\n"}), false);
    row("20000 subscripts", cat({"a", repeat("[0]", 20000), "\n"}), false);
    row("20000 calls", cat({"f", repeat("()", 20000), "\n"}), false);
    row("20000 additions", cat({"1", repeat(" + 1", 20000), "\n"}), false);
    row("20000 powers", cat({"2", repeat(" ** 2", 20000), "\n"}), false);
    row("20000 lambdas", cat({repeat("lambda: ", 20000), "1\n"}), false);
    row("20000 conditionals", cat({repeat("1 if 1 else ", 20000), "1\n"}), false);
    row("20000 awaits", cat({"async def f():\n    ", repeat("await ", 20000), "x\n"}), false);
    row("20000 stars", cat({"x = ", repeat("*", 20000), "a\n"}), false);
    row("20000 assignment targets", cat({repeat("a = ", 20000), "1\n"}), true);
    row("20000 decorators", cat({repeat("@d\n", 20000), "def f(): pass\n"}), true);
    row("20000 elements", cat({"x = [", repeat("1, ", 20000), "]\n"}), true);
    row("20000 comparisons", cat({"1", repeat(" < 1", 20000), "\n"}), true);
    row("150 nested lists", cat({repeat("[", 150), repeat("]", 150), "\n"}), true);
    row("150 nested calls", cat({repeat("f(", 150), repeat(")", 150), "\n"}), true);
    row("99 nested blocks", [] {
        std::string s;
        for (int i = 0; i < 98; ++i)
            s += std::string(static_cast<std::size_t>(i), ' ') + "if x:\n";
        return cat({s, std::string(98, ' '), "pass\n"});
    }(), true);
    row("1000 nested blocks", [] {
        std::string s;
        for (int i = 0; i < 1000; ++i)
            s += std::string(static_cast<std::size_t>(i), ' ') + "if x:\n";
        return cat({s, std::string(1000, ' '), "pass\n"});
    }(), false);
    row("nested f-strings", "f'{f\"{x:{y}}\"}'\n", true);
    row("f-string spec too deep", "f'{x:{y:{z}}}'\n", false);
    row("20000 f-string fields", cat({"f'", repeat("{x}", 20000), "'\n"}), true);
    row("f-string with deep expression", cat({"f'{", repeat("-", 20000), "1}'\n"}), false);
}

void tst_FuzzParse::deepNesting()
{
    QFETCH(QByteArray, source);
    QFETCH(bool, ok);
    QElapsedTimer timer;
    timer.start();
    const ParseResult r = parseModule(std::string(source.constData(), static_cast<std::size_t>(source.size())), "deep.py");
    QCOMPARE(bool(r.module), ok);
    QCOMPARE(bool(r.error), !ok);
    if (r.error)
        QVERIFY(!formatSyntaxError(*r.error).empty());
    else
        (void)checkModule(*r.module);
    QVERIFY2(timer.elapsed() < 10000, "parsing took too long");
}

void tst_FuzzParse::millionLines()
{
    // A million lines, mostly comments and blank lines with a statement now and then,
    // then one mistake on the very last line.
    std::string s;
    s.reserve(24'000'000);
    for (int i = 1; i < 1'000'000; ++i) {
        if (i % 50 == 0)
            s += "x = [1, 2, 3]\n";
        else if (i % 2)
            s += "# a comment line\n";
        else
            s += "\n";
    }
    s += "x = (1 2)\n";
    QElapsedTimer timer;
    timer.start();
    const ParseResult r = parseModule(s, "big.py");
    QVERIFY(r.error);
    QCOMPARE(r.error->line, 1'000'000);
    QCOMPARE(r.error->message, std::string("invalid syntax. Perhaps you forgot a comma?"));
    QVERIFY2(timer.elapsed() < 20000, "a million lines took too long");

    // Inside one bracket: a million continuation lines, never closed.
    const std::string open = cat({"x = (\n", repeat("\n", 999'999)});
    const ParseResult r2 = parseModule(open, "open.py");
    QVERIFY(r2.error);
    QCOMPARE(r2.error->message, std::string("'(' was never closed"));
    QCOMPARE(r2.error->line, 1);
}

QTEST_GUILESS_MAIN(tst_FuzzParse)
#include "tst_fuzzparse.moc"
