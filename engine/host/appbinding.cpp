// The host's side of the FastAPI layer.
#include "appbinding.h"

#include "fastapi/fastapiapp.h"
#include "fastapi/fastapiobjects.h"

#include "lang/interpreter.h"
#include "lang/threadstate.h"

namespace loopscope::host {

void registerAppModules(lang::Interpreter &interp)
{
    fastapi::FastApiModule::registerModules(interp);
}

BoundApp bindApplication(const std::shared_ptr<lang::Interpreter> &, runtime::EventLoop &, lang::ThreadState &ts,
                         const lang::Value &module, QString *error, ServerErrorLog errorLog)
{
    BoundApp bound;
    auto app = std::make_unique<fastapi::FastApiApp>();
    std::string why;
    if (!app->load(ts, module, &why)) {
        if (error)
            *error = QString::fromStdString(why.empty() ? std::string("no FastAPI app in the module") : why);
        return bound;
    }
    for (const fastapi::EndpointInfo &e : app->endpoints())
        bound.endpoints.append(EndpointInfo{QString::fromStdString(e.method), QString::fromStdString(e.path),
                                            QString::fromStdString(e.function), e.isAsync, e.line});
    if (errorLog)
        app->setErrorLog(std::move(errorLog));
    bound.application = std::move(app);
    return bound;
}

} // namespace loopscope::host
