#include "threadpoolcall.h"

#include "threadstatecache.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"
#include "runtime/capacitylimiter.h"
#include "runtime/eventloop.h"
#include "runtime/workerthreadpool.h"
#include "trace/tracebuffer.h"

namespace loopscope::fastapi {

using lang::Value;

namespace {

struct Job {
    RunContext ctx;
    runtime::CapacityLimiter *limiter = nullptr;
    Value callable;
    std::vector<Value> args;
    KeywordList kwargs;
    std::int64_t request = -1;
    Completion done;
    Value result;
    Value exception;
};

void runOnWorker(const std::shared_ptr<Job> &job)
{
    lang::ThreadState &ts = ThreadStateCache::forCurrentThread(*job->ctx.interp, "worker");
    GilScope gil(ts);
    RequestScope attribution(ts, job->request);
    std::vector<lang::KeywordArg> kw;
    kw.reserve(job->kwargs.size());
    for (const auto &[name, value] : job->kwargs)
        kw.push_back(lang::KeywordArg{name, value});
    trace::record(trace::EventKind::RunBegin, job->request);
    Value r = lang::call(ts, job->callable, job->args, kw);
    trace::record(trace::EventKind::RunEnd, job->request);
    if (r.isError())
        job->exception = ts.fetchException();
    else
        job->result = std::move(r);
    // Drop the references taken for the call while the GIL is still held.
    job->args.clear();
    job->kwargs.clear();
}

void submit(const std::shared_ptr<Job> &job)
{
    job->ctx.loop->workerPool().submit([job]() { runOnWorker(job); },
                                       [job]() {
                                           if (job->limiter)
                                               job->limiter->release(job->request);
                                           Completion done = std::move(job->done);
                                           Value result = std::move(job->result);
                                           Value exc = std::move(job->exception);
                                           job->callable = Value::none();
                                           done(std::move(result), std::move(exc));
                                       },
                                       job->request);
}

} // namespace

void ThreadpoolCall::run(const RunContext &ctx, runtime::CapacityLimiter *limiter, Value callable,
                         std::vector<Value> args, KeywordList kwargs, std::int64_t request, Completion done)
{
    auto job = std::make_shared<Job>();
    job->ctx = ctx;
    job->limiter = limiter;
    job->callable = std::move(callable);
    job->args = std::move(args);
    job->kwargs = std::move(kwargs);
    job->request = request;
    job->done = std::move(done);
    if (!limiter) {
        submit(job);
        return;
    }
    if (limiter->acquire([job]() { submit(job); }, request) == 0)
        submit(job);
}

} // namespace loopscope::fastapi
