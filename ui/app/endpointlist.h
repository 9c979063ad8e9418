// EndpointList: the endpoints of the loaded app with their kind — `async def` runs on
// the event loop, `def` on the thread pool. Activating one jumps to its line.
#pragma once

#include <QTreeWidget>

namespace loopscope::ui {

struct Endpoint {
    QString method;   // "GET"
    QString path;     // "/ping"
    QString function; // "ping"
    bool isAsync = false;
    int line = 0;     // 1-based
};

class EndpointList : public QTreeWidget {
    Q_OBJECT
public:
    explicit EndpointList(QWidget *parent = nullptr);

    void setEndpoints(const QList<Endpoint> &endpoints);
    const QList<Endpoint> &endpoints() const { return m_endpoints; }

signals:
    void lineActivated(int line);
    // Double-click on an endpoint: use its path for the burst.
    void pathChosen(const QString &pathTemplate);

private:
    QList<Endpoint> m_endpoints;
};

} // namespace loopscope::ui
