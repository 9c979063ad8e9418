#include "endpointlist.h"

#include <QHeaderView>

namespace loopscope::ui {

EndpointList::EndpointList(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(4);
    setHeaderLabels({tr("Method"), tr("Path"), tr("Function"), tr("Runs on")});
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    header()->setStretchLastSection(true);
    header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setToolTip(tr("Click to jump to the endpoint; double-click to fire bursts at it"));
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        emit lineActivated(item->data(0, Qt::UserRole).toInt());
    });
    connect(this, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        QString p = item->text(1);
        p += p.contains(QLatin1Char('?')) ? QStringLiteral("&i={i}") : QStringLiteral("?i={i}");
        emit pathChosen(p);
    });
}

void EndpointList::setEndpoints(const QList<Endpoint> &endpoints)
{
    m_endpoints = endpoints;
    clear();
    for (const Endpoint &e : endpoints) {
        auto *item = new QTreeWidgetItem(this);
        item->setText(0, e.method);
        item->setText(1, e.path);
        item->setText(2, (e.isAsync ? QStringLiteral("async def ") : QStringLiteral("def ")) + e.function);
        item->setText(3, e.isAsync ? tr("event loop") : tr("thread pool"));
        item->setForeground(3, e.isAsync ? QColor(0x1f, 0x6f, 0xc5) : QColor(0x2e, 0x7d, 0x32));
        item->setData(0, Qt::UserRole, e.line);
        item->setToolTip(2, e.isAsync ? tr("async def: runs on the single event-loop thread; blocking calls block every request")
                                      : tr("def: runs on a worker thread behind the 40-token limiter"));
    }
}

} // namespace loopscope::ui
