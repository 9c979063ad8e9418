// LoopThread: a QThread that runs one EventLoop (the server's loop thread). QObjects the
// server creates for this thread (QTcpServer, sockets) get it with moveToThread(thread)
// or by being created inside loop callbacks.
#pragma once

#include "eventloop.h"

#include <QThread>

#include <string>

namespace loopscope::runtime {

class LoopThread : public QThread {
    Q_OBJECT
public:
    explicit LoopThread(std::string traceName = "loop", QObject *parent = nullptr);
    ~LoopThread() override;

    // The loop; configure it before start(). It lives on this thread once started.
    EventLoop *loop() const { return m_loop; }

    // Starts the thread and returns once the loop runs.
    void startLoop();
    // Stops the loop, shuts its pools down on the loop thread and joins the thread.
    void stopAndWait();

protected:
    void run() override;

private:
    EventLoop *m_loop;
    std::string m_traceName;
    QThread *m_ownerThread;
};

} // namespace loopscope::runtime
