// The server's loop thread.
#include "loopthread.h"

#include "trace/tracebuffer.h"

#include <QSemaphore>

namespace loopscope::runtime {

LoopThread::LoopThread(std::string traceName, QObject *parent)
    : QThread(parent)
    , m_loop(new EventLoop)
    , m_traceName(std::move(traceName))
    , m_ownerThread(QThread::currentThread())
{
    m_loop->moveToThread(this);
}

LoopThread::~LoopThread()
{
    stopAndWait();
    delete m_loop;
}

void LoopThread::startLoop()
{
    if (isRunning())
        return;
    QSemaphore started;
    m_loop->callSoonThreadsafe([&started] { started.release(); });
    start();
    started.acquire();
}

void LoopThread::stopAndWait()
{
    if (!isRunning())
        return;
    m_loop->stop();
    wait();
}

void LoopThread::run()
{
    trace::setThreadName(m_traceName);
    m_loop->runForever();
    m_loop->shutdownPools();
    // Hand the loop back so it can be deleted (or run again) by its owner.
    m_loop->moveToThread(m_ownerThread);
}

} // namespace loopscope::runtime
