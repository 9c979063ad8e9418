// Loop lag chart.
#include "looplagchart.h"

#include "chartstyle.h"
#include "scattergraph.h"

#include <qcustomplot.h>

#include <algorithm>

namespace loopscope::ui {

void LoopLagChart::attach(QCustomPlot *plot)
{
    m_plot = plot;
    ChartStyle::setUp(plot, title(), QStringLiteral("time since burst start (s)"),
                      QStringLiteral("loop lag (ms)"));
    ChartStyle::styleAxis(plot->yAxis2, QStringLiteral("loop busy (%)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setRange(0, 105);
    plot->yAxis2->grid()->setVisible(false);

    m_utilisation = plot->addGraph(plot->xAxis, plot->yAxis2);
    m_utilisation->setName(QStringLiteral("loop busy per 100 ms (%)"));
    m_utilisation->setLineStyle(QCPGraph::lsStepLeft);
    // Drawn opaque in the colours its translucent fill (22/255) and line (110/255) had over
    // the white plot, under the grid and the overlays instead of over them: a translucent
    // area as tall as the chart is handed to Qt's paint threads, and every live replot
    // waited for them.
    const QColor c = ChartStyle::utilisationColor();
    auto over = [&c](int alpha) {
        auto mix = [alpha](int v) { return (v * alpha + 255 * (255 - alpha)) / 255; };
        return QColor(mix(c.red()), mix(c.green()), mix(c.blue()));
    };
    m_utilisation->setLayer(QStringLiteral("background"));
    m_busyFill = over(22);
    m_utilisation->setBrush(m_busyFill);
    m_utilisation->setPen(QPen(over(110), 1));

    m_lag = new ScatterGraph(plot->xAxis, plot->yAxis);
    m_lag->setName(QStringLiteral("loop lag (10 ms sampler)"));
    m_lag->setPen(QPen(ChartStyle::lagColor(), 1));
    // One impulse per sample: a blocked loop shows as a lone tall spike when the sampler
    // finally runs, not as a ramp interpolated across the silence.
    m_lag->setLineStyle(QCPGraph::lsImpulse);
    m_lag->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
    m_lag->setAdaptiveSampling(true);

    ChartStyle::addSwatch(plot, QStringLiteral("loop blocked (call @ line, duration)"),
                          ChartStyle::opaqueOver(ChartStyle::blockedColor(), m_busyFill));
    ChartStyle::legendBelow(plot);
    plot->legend->setVisible(true);
    QObject::connect(plot, &QCustomPlot::afterLayout, plot, [this] { fitLabels(); });
    plot->xAxis->setRange(0, 1);
    plot->yAxis->setRange(0, 10);
    reset();
}

void LoopLagChart::reset()
{
    m_lagCount = 0;
    m_blockedCount = 0;
    m_maxLag = 0;
    m_labels = 0;
    m_labelTexts.clear();
    m_live.clear(); // clearItems() below deletes them
    if (!m_plot)
        return;
    m_lag->data()->clear();
    m_utilisation->data()->clear();
    m_plot->clearItems();
}

void LoopLagChart::update(const trace::Session &session)
{
    if (!m_plot)
        return;
    const trace::LoopModel &loop = session.loop;
    if (loop.lag.size() < m_lagCount || loop.blocked.size() < m_blockedCount)
        reset();

    if (loop.lag.size() > m_lagCount) {
        QVector<double> keys, values;
        keys.reserve(int(loop.lag.size() - m_lagCount));
        values.reserve(keys.capacity());
        for (std::size_t i = m_lagCount; i < loop.lag.size(); ++i) {
            keys.push_back(loop.lag[i].t);
            values.push_back(loop.lag[i].ms);
            m_maxLag = std::max(m_maxLag, loop.lag[i].ms);
        }
        m_lag->addData(keys, values, true);
        m_lagCount = loop.lag.size();
    }

    // Utilisation bins are few (10 per second) and the last one still grows: replace.
    QVector<double> ukeys, uvalues;
    ukeys.reserve(int(loop.utilisation.size() + 1));
    uvalues.reserve(ukeys.capacity());
    for (const trace::UtilisationBin &u : loop.utilisation) {
        ukeys.push_back(u.t);
        uvalues.push_back(u.busy * 100.0);
    }
    if (!loop.utilisation.empty()) {
        ukeys.push_back(loop.utilisation.back().t + loop.binSeconds);
        uvalues.push_back(uvalues.back());
    }
    m_utilisation->setData(ukeys, uvalues, true);

    for (std::size_t i = m_blockedCount; i < loop.blocked.size(); ++i) {
        const trace::BlockedSpan &b = loop.blocked[i];
        QCPItemRect *rect = newSpanRect(QPen(ChartStyle::opaqueOver(QColor(0xd6, 0x27, 0x28, 90), m_busyFill), 1));
        rect->topLeft->setCoords(b.start, 0);
        rect->bottomRight->setCoords(b.end, 1);
        if (m_labels < m_maxLabels) {
            ++m_labels;
            auto *label = new QCPItemText(m_plot);
            label->position->setTypeX(QCPItemPosition::ptPlotCoords);
            label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            // Alternate heights so neighbouring labels don't collide.
            label->position->setCoords(b.start, 0.03 + 0.07 * double(i % 3));
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
            // "time.sleep @ app.py:14", else what is known: the function, or just "blocked";
            // shorter forms for narrow plots: "time.sleep, line 14", "time.sleep", the time.
            const QString what = blockedWhat(b, QStringLiteral("blocked"));
            const QString duration = QStringLiteral("  %1 s").arg(b.duration(), 0, 'f', 2);
            QStringList texts;
            QString text = what;
            if (!b.where.empty())
                text += QStringLiteral(" @ ") + QString::fromStdString(b.where);
            else if (!b.call.empty() && !b.function.empty())
                text += QStringLiteral(" in ") + QString::fromStdString(b.function);
            text += duration;
            texts << text;
            if (b.line() > 0)
                texts << QStringLiteral("%1, line %2%3").arg(what).arg(b.line()).arg(duration);
            texts << what + duration << duration.trimmed();
            m_labelTexts.push_back({label, texts, b.start, b.end});
            label->setText(text);
            QFont f = label->font();
            f.setPointSize(8);
            label->setFont(f);
            label->setColor(QColor(0x9b, 0x1c, 0x1c));
            label->setPadding(QMargins(3, 1, 3, 1));
            label->setBrush(QColor(255, 255, 255, 200));
            label->setClipToAxisRect(true);
            label->setSelectable(false);
        }
    }
    m_blockedCount = loop.blocked.size();
    drawLive(session);

    double end = std::max(0.1, session.end);
    if (!loop.lag.empty())
        end = std::max(end, loop.lag.back().t);
    m_plot->xAxis->setRange(0, end * 1.02);
    m_plot->yAxis->setRange(0, std::max(10.0, m_maxLag * 1.15));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QCPItemRect *LoopLagChart::newSpanRect(const QPen &edge)
{
    // Opaque, under the grid and the previous run's overlay, over the loop-busy area (the
    // loop is busy all through a blocked span): in the colours the translucent shading
    // and border had there. A translucent rectangle as tall as the chart is handed to
    // Qt's paint threads, and every live replot waited for them.
    auto *rect = new QCPItemRect(m_plot);
    rect->setLayer(QStringLiteral("background"));
    rect->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    rect->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
    rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    rect->setPen(edge);
    rect->setBrush(ChartStyle::opaqueOver(ChartStyle::blockedColor(), m_busyFill));
    rect->setSelectable(false);
    return rect;
}

// What blocked: the call ("time.sleep"), else the function, else `otherwise`.
QString LoopLagChart::blockedWhat(const trace::BlockedSpan &b, const QString &otherwise)
{
    return !b.call.empty() ? QString::fromStdString(b.call)
           : !b.function.empty() ? QString::fromStdString(b.function)
                                 : otherwise;
}

void LoopLagChart::drawLive(const trace::Session &session)
{
    // A step blocking the loop right now: shaded up to "now" with a dashed edge, labelled
    // with where the watchdog has seen it most so far and for how long it has run. When the
    // step ends it becomes an ordinary blocked span.
    const std::vector<trace::BlockedSpan> &now = session.loop.blocking;
    while (m_live.size() > now.size()) {
        m_plot->removeItem(m_live.back().rect);
        m_plot->removeItem(m_live.back().label);
        m_live.pop_back();
    }
    while (m_live.size() < now.size()) {
        Live l;
        l.rect = newSpanRect(QPen(QColor(0xd6, 0x27, 0x28), 1, Qt::DashLine));
        l.label = new QCPItemText(m_plot);
        l.label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        l.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        // At the "now" edge, where the plot always has room for it, below the spans' labels.
        l.label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        QFont f = l.label->font();
        f.setPointSize(8);
        f.setBold(true);
        l.label->setFont(f);
        l.label->setColor(QColor(0x9b, 0x1c, 0x1c));
        l.label->setPadding(QMargins(3, 1, 3, 1));
        l.label->setBrush(QColor(255, 255, 255, 220));
        l.label->setClipToAxisRect(true);
        l.label->setSelectable(false);
        m_live.push_back(l);
    }
    for (std::size_t i = 0; i < now.size(); ++i) {
        const trace::BlockedSpan &b = now[i];
        m_live[i].rect->topLeft->setCoords(b.start, 0);
        m_live[i].rect->bottomRight->setCoords(b.end, 1);
        m_live[i].label->position->setCoords(b.end, 0.03 + 0.07 * 3);
        QString text = QStringLiteral("blocking: ") + blockedWhat(b, QStringLiteral("a step"));
        if (!b.where.empty())
            text += QStringLiteral(" @ ") + QString::fromStdString(b.where);
        text += QStringLiteral("  %1 s so far").arg(b.duration(), 0, 'f', 2);
        m_live[i].label->setText(text);
    }
}

QString LoopLagChart::liveBlockedText(int i) const
{
    return i >= 0 && i < int(m_live.size()) ? m_live[std::size_t(i)].label->text() : QString();
}

void LoopLagChart::fitLabels()
{
    const QRect area = m_plot->axisRect()->rect();
    for (const Label &l : m_labelTexts) {
        const QFontMetrics fm(l.item->font());
        const QMargins pad = l.item->padding();
        const double x = m_plot->xAxis->coordToPixel(l.start);
        const double room = area.right() - std::max(double(area.left()), x) - 4;
        QString chosen = l.texts.constLast();
        for (const QString &t : l.texts) {
            if (fm.horizontalAdvance(t) + pad.left() + pad.right() <= room) {
                chosen = t;
                break;
            }
        }
        if (l.item->text() != chosen)
            l.item->setText(chosen);
    }
}

} // namespace loopscope::ui
