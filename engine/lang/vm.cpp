// The VM: frames, the dispatch loop, calls and argument binding, generators and
// coroutines (heap frames that suspend at yield/await without holding a thread).
#include "vm.h"

#include "interpreter.h"
#include "gil.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace loopscope::lang {

// ------------------------------------------------------------------ generator objects
GeneratorObject::GeneratorObject(Kind kind, Value func)
    : Object(ObjKind::Generator, kind == Generator ? types().generator
                                 : kind == Coroutine ? types().coroutine
                                                     : types().asyncGenerator),
      genKind(kind), funcRef(std::move(func))
{
}

GeneratorObject::~GeneratorObject()
{
    // storage (locals, cells and stack) goes with the unique_ptr
}

AsyncGenStep::AsyncGenStep(Value g, Value s, Value t, bool c)
    : Object(ObjKind::Other, types().iterator), gen(std::move(g)), sendValue(std::move(s)), throwExc(std::move(t)), isClose(c)
{
}

// ------------------------------------------------------------------ helpers
static Value typeErrorf(ThreadState &ts, std::string msg) { return ts.raise(types().TypeError, std::move(msg)); }

static std::string pluralArgs(std::size_t n, const char *what)
{
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

static std::string joinNames(const std::vector<std::string> &names)
{
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) {
            if (names.size() == 2)
                s += " and ";
            else if (i + 1 == names.size())
                s += ", and ";
            else
                s += ", ";
        }
        s += "'" + names[i] + "'";
    }
    return s;
}

// Binds call arguments into fast slots. Slots start unbound().
static bool bindArgs(ThreadState &ts, FunctionObject *f, Value *fast, const Value *args, std::size_t nargs,
                     const TupleObject *kwnames)
{
    const Code &c = *f->code;
    std::size_t nkw = kwnames ? kwnames->items.size() : 0;
    std::size_t npos = nargs - nkw;
    std::size_t n = static_cast<std::size_t>(c.argCount);
    bool hasVarArgs = c.flags & Code::HasVarArgs;
    bool hasVarKw = c.flags & Code::HasVarKeywords;
    int varargSlot = c.argCount + c.kwOnlyCount;
    int kwargSlot = varargSlot + (hasVarArgs ? 1 : 0);
    const std::string &fname = f->qualname;

    std::size_t take = std::min(npos, n);
    for (std::size_t i = 0; i < take; ++i)
        fast[i] = args[i];
    if (npos > n) {
        if (!hasVarArgs) {
            std::size_t nd = f->defaults.size();
            std::string takes;
            if (nd > 0)
                takes = "from " + std::to_string(n - nd) + " to " + std::to_string(n) + " positional arguments";
            else
                takes = pluralArgs(n, "positional argument");
            typeErrorf(ts, fname + "() takes " + takes + " but " + std::to_string(npos) + (npos == 1 ? " was" : " were") + " given");
            return false;
        }
        std::vector<Value> rest(args + n, args + npos);
        fast[varargSlot] = makeTuple(std::move(rest));
    } else if (hasVarArgs) {
        fast[varargSlot] = makeTuple({});
    }
    DictObject *kwdict = nullptr;
    if (hasVarKw) {
        fast[kwargSlot] = makeDict();
        kwdict = fast[kwargSlot].as<DictObject>();
    }
    for (std::size_t k = 0; k < nkw; ++k) {
        const std::string &name = kwnames->items[k].asString();
        const Value &val = args[npos + k];
        int found = -1;
        for (int i = c.posOnlyCount; i < c.argCount + c.kwOnlyCount; ++i)
            if (c.varnames[i] == name) {
                found = i;
                break;
            }
        if (found >= 0) {
            if (!fast[found].isUnbound()) {
                typeErrorf(ts, fname + "() got multiple values for argument '" + name + "'");
                return false;
            }
            fast[found] = val;
        } else if (kwdict) {
            kwdict->setStr(kwnames->items[k], val);
        } else {
            bool posonly = false;
            for (int i = 0; i < c.posOnlyCount; ++i)
                posonly = posonly || c.varnames[i] == name;
            if (posonly)
                typeErrorf(ts, fname + "() got some positional-only arguments passed as keyword arguments: '" + name + "'");
            else
                typeErrorf(ts, fname + "() got an unexpected keyword argument '" + name + "'");
            return false;
        }
    }
    if (npos < n) {
        std::size_t nd = f->defaults.size();
        std::vector<std::string> missing;
        for (std::size_t i = npos; i < n; ++i) {
            if (!fast[i].isUnbound())
                continue;
            if (i + nd >= n)
                fast[i] = f->defaults[i + nd - n];
            else
                missing.push_back(c.varnames[i]);
        }
        if (!missing.empty()) {
            typeErrorf(ts, fname + "() missing " + std::to_string(missing.size()) + " required positional argument" +
                               (missing.size() == 1 ? "" : "s") + ": " + joinNames(missing));
            return false;
        }
    }
    if (c.kwOnlyCount) {
        std::vector<std::string> missing;
        for (int k = 0; k < c.kwOnlyCount; ++k) {
            int slot = c.argCount + k;
            if (!fast[slot].isUnbound())
                continue;
            if (k < static_cast<int>(f->kwDefaults.size()) && !f->kwDefaults[k].isNotFound())
                fast[slot] = f->kwDefaults[k];
            else
                missing.push_back(c.varnames[slot]);
        }
        if (!missing.empty()) {
            typeErrorf(ts, fname + "() missing " + std::to_string(missing.size()) + " required keyword-only argument" +
                               (missing.size() == 1 ? "" : "s") + ": " + joinNames(missing));
            return false;
        }
    }
    return true;
}

static void initCells(const Code &c, FunctionObject *f, Value *fast)
{
    int nl = c.nlocals();
    for (std::size_t i = 0; i < c.cellvars.size(); ++i) {
        auto *cell = new CellObject();
        int ps = c.cellParamSlot[i];
        if (ps >= 0)
            cell->value = fast[ps];
        fast[nl + i] = Value(cell);
    }
    if (f)
        for (std::size_t i = 0; i < c.freevars.size() && i < f->closure.size(); ++i)
            fast[nl + c.cellvars.size() + i] = f->closure[i];
}

static Value makeGenerator(ThreadState &ts, FunctionObject *f, const Value &fval, const Value *args, std::size_t nargs,
                           const TupleObject *kwnames)
{
    const Code &c = *f->code;
    GeneratorObject::Kind kind = c.isCoroutine() ? GeneratorObject::Coroutine
                                 : c.isAsyncGenerator() ? GeneratorObject::AsyncGenerator
                                                        : GeneratorObject::Generator;
    auto *g = new GeneratorObject(kind, fval);
    Value gv(g);
    std::size_t n = static_cast<std::size_t>(c.nlocals() + c.ncells() + c.stackSize);
    g->storage.reset(new Value[n]);
    g->storageSize = n;
    for (int i = 0; i < c.nlocals(); ++i)
        g->storage[i] = Value::unbound();
    if (!bindArgs(ts, f, g->storage.get(), args, nargs, kwnames))
        return Value::error();
    initCells(c, f, g->storage.get());
    g->codeRef = f->code;
    g->globalsRef = f->globals;
    g->name = f->name;
    g->qualname = f->qualname;
    Frame &fr = g->frame;
    fr.code = g->codeRef.get();
    fr.func = f;
    fr.globals = f->globals.as<DictObject>();
    fr.fast = g->storage.get();
    fr.stack = fr.fast + c.nlocals() + c.ncells();
    fr.sp = fr.stack;
    fr.gen = g;
    return gv;
}

static Value callPython(ThreadState &ts, FunctionObject *f, const Value &fval, const Value *args, std::size_t nargs,
                        const TupleObject *kwnames)
{
    const Code &c = *f->code;
    if (c.flags & (Code::IsGenerator | Code::IsCoroutine | Code::IsAsyncGenerator))
        return makeGenerator(ts, f, fval, args, nargs, kwnames);
    std::size_t n = static_cast<std::size_t>(c.nlocals() + c.ncells() + c.stackSize);
    // slots live on the C++ stack for small frames; only the used ones are constructed
    alignas(Value) unsigned char smallBuf[48 * sizeof(Value)];
    std::unique_ptr<Value[]> big;
    Value *slots;
    struct SlotsGuard {
        Value *p = nullptr;
        std::size_t n = 0;
        ~SlotsGuard()
        {
            for (std::size_t i = 0; i < n; ++i)
                p[i].~Value();
        }
    } guard;
    if (n > 48) {
        big.reset(new Value[n]);
        slots = big.get();
        for (int i = 0; i < c.nlocals(); ++i)
            slots[i] = Value::unbound();
    } else {
        slots = reinterpret_cast<Value *>(smallBuf);
        int nl = c.nlocals();
        for (int i = 0; i < nl; ++i)
            new (&slots[i]) Value(Value::unbound());
        for (std::size_t i = nl; i < n; ++i)
            new (&slots[i]) Value();
        guard.p = slots;
        guard.n = n;
    }
    // fast path: exact positional arguments
    if (!kwnames && nargs == static_cast<std::size_t>(c.argCount) && !(c.flags & (Code::HasVarArgs | Code::HasVarKeywords)) &&
        c.kwOnlyCount == 0) {
        for (std::size_t i = 0; i < nargs; ++i)
            slots[i] = args[i];
    } else if (!bindArgs(ts, f, slots, args, nargs, kwnames)) {
        return Value::error();
    }
    if (c.ncells())
        initCells(c, f, slots);
    Frame fr;
    fr.code = &c;
    fr.func = f;
    fr.globals = f->globals.as<DictObject>();
    fr.fast = slots;
    fr.stack = slots + c.nlocals() + c.ncells();
    fr.sp = fr.stack;
    return runFrame(ts, fr);
}

Value guardedNativeCall(ThreadState &ts, const NativeFn &fn, const CallArgs &ca)
{
    // a C++ exception must never unwind through the VM: turn it into a Python one
    try {
        return fn(ts, ca);
    } catch (const std::bad_alloc &) {
        return ts.raise(types().MemoryError, "");
    } catch (const std::out_of_range &e) {
        return ts.raise(types().OverflowError, e.what());
    } catch (const std::exception &e) {
        return ts.raise(types().ValueError, e.what());
    }
}

Value callValue(ThreadState &ts, const Value &callable, const Value *args, std::size_t nargs, const TupleObject *kwnames)
{
    if (!callable.isObject())
        return typeErrorf(ts, "'" + typeName(callable) + "' object is not callable");
    Object *o = callable.ptr();
    switch (o->kind()) {
    case ObjKind::Function: return callPython(ts, static_cast<FunctionObject *>(o), callable, args, nargs, kwnames);
    case ObjKind::NativeFunction: {
        auto *nf = static_cast<NativeFunctionObject *>(o);
        std::size_t nkw = kwnames ? kwnames->items.size() : 0;
        std::size_t npos = nargs - nkw;
        KeywordArg kwbuf[8];
        std::vector<KeywordArg> kwvec;
        KeywordArg *kws = kwbuf;
        if (nkw > 8) {
            kwvec.resize(nkw);
            kws = kwvec.data();
        }
        for (std::size_t k = 0; k < nkw; ++k) {
            kws[k].name = kwnames->items[k].asString();
            kws[k].value = args[npos + k];
        }
        CallArgs ca;
        std::vector<Value> withSelf;
        if (!nf->self.isNotFound()) {
            withSelf.reserve(npos + 1);
            withSelf.push_back(nf->self);
            withSelf.insert(withSelf.end(), args, args + npos);
            ca.positional = std::span<const Value>(withSelf.data(), withSelf.size());
        } else {
            ca.positional = std::span<const Value>(args, npos);
        }
        ca.keywords = std::span<const KeywordArg>(kws, nkw);
        const char *prev = ts.m_nativeCall.load(std::memory_order_relaxed);
        ts.m_nativeCall.store(nf->qualName.empty() ? nf->name.c_str() : nf->qualName.c_str(), std::memory_order_relaxed);
        Value r = guardedNativeCall(ts, nf->fn, ca);
        ts.m_nativeCall.store(prev, std::memory_order_relaxed);
        if (r.isError() && !ts.hasException())
            ts.raise(types().RuntimeError, "native function " + nf->name + " failed without setting an exception");
        else if (!r.isError() && ts.hasException())
            ts.fetchException(); // a native that set and then recovered
        return r;
    }
    case ObjKind::BoundMethod: {
        auto *bm = static_cast<BoundMethodObject *>(o);
        Value small[8];
        std::vector<Value> big;
        Value *buf = small;
        if (nargs + 1 > 8) {
            big.resize(nargs + 1);
            buf = big.data();
        }
        buf[0] = bm->self;
        for (std::size_t i = 0; i < nargs; ++i)
            buf[i + 1] = args[i];
        Value func = bm->func; // keep alive
        return callValue(ts, func, buf, nargs + 1, kwnames);
    }
    case ObjKind::Type: return instantiateType(ts, static_cast<TypeObject *>(o), args, nargs, kwnames);
    case ObjKind::StaticMethod:
    case ObjKind::ClassMethod: {
        auto *sm = static_cast<StaticMethodObject *>(o);
        return callValue(ts, sm->func, args, nargs, kwnames);
    }
    default: {
        Value m = o->type()->lookup("__call__");
        if (!m.isNotFound()) {
            std::vector<Value> buf;
            buf.reserve(nargs + 1);
            buf.push_back(callable);
            buf.insert(buf.end(), args, args + nargs);
            return callValue(ts, m, buf.data(), buf.size(), kwnames);
        }
        return typeErrorf(ts, "'" + typeName(callable) + "' object is not callable");
    }
    }
}

Value call(ThreadState &ts, const Value &callable, std::span<const Value> args, std::span<const KeywordArg> kwargs)
{
    if (kwargs.empty())
        return callValue(ts, callable, args.data(), args.size(), nullptr);
    std::vector<Value> all(args.begin(), args.end());
    std::vector<Value> names;
    for (auto &k : kwargs) {
        all.push_back(k.value);
        names.push_back(Value::fromString(k.name));
    }
    Value kn = makeTuple(std::move(names));
    return callValue(ts, callable, all.data(), all.size(), kn.as<TupleObject>());
}

Value call(ThreadState &ts, const Value &callable, std::initializer_list<Value> args)
{
    return callValue(ts, callable, args.begin(), args.size(), nullptr);
}

Value callMethod(ThreadState &ts, const Value &obj, std::string_view name, std::span<const Value> args,
                 std::span<const KeywordArg> kwargs)
{
    Value m = getAttr(ts, obj, name);
    if (m.isError())
        return m;
    return call(ts, m, args, kwargs);
}

bool isCallable(const Value &v)
{
    if (!v.isObject())
        return false;
    switch (v.ptr()->kind()) {
    case ObjKind::Function: case ObjKind::NativeFunction: case ObjKind::BoundMethod: case ObjKind::Type:
        return true;
    default: return !v.ptr()->type()->lookup("__call__").isNotFound();
    }
}

// ------------------------------------------------------------------ tracebacks
void addTraceback(const Value &exc, const std::shared_ptr<const Code> &code, int line)
{
    if (!exc.isException())
        return;
    auto *e = exc.as<ExceptionObject>();
    if (e->traceback.size() < 2000)
        e->traceback.push_back(TracebackEntry{code, line});
}

static const std::shared_ptr<const Code> *ownerOf(const Frame &f)
{
    if (f.owner)
        return f.owner;
    if (f.gen)
        return &f.gen->codeRef;
    if (f.func)
        return &f.func->code;
    return nullptr;
}

// ------------------------------------------------------------------ async generator steps
static ResumeResult resumeStep(ThreadState &ts, AsyncGenStep *st, const Value &sent, const Value *exc);

static ResumeResult resumeGenerator(ThreadState &ts, GeneratorObject *g, const Value &send, const Value *exc);

static void releaseFrameStorage(GeneratorObject *g)
{
    for (std::size_t i = 0; i < g->storageSize; ++i)
        g->storage[i] = Value();
}

ResumeResult resumeAny(ThreadState &ts, const Value &it, const Value &send, const Value *exc)
{
    ResumeResult rr;
    if (it.isGenerator())
        return resumeGenerator(ts, it.as<GeneratorObject>(), send, exc);
    if (it.isObject() && it.ptr()->kind() == ObjKind::Other && dynamic_cast<AsyncGenStep *>(it.ptr()))
        return resumeStep(ts, static_cast<AsyncGenStep *>(it.ptr()), send, exc);
    TypeObject *t = it.type();
    for (TypeObject *x = t; x; x = x->base)
        if (x->hooks.resume)
            return x->hooks.resume(ts, it, send, exc);
    // a Python-level iterator: send/throw/__next__
    Value r;
    if (exc) {
        Value m = getAttrOpt(ts, it, "throw");
        if (m.isNotFound()) {
            ts.restoreException(*exc);
            rr.kind = ResumeResult::Raised;
            return rr;
        }
        r = call(ts, m, {*exc});
    } else if (send.isNone()) {
        r = iterNext(ts, it);
        if (r.isNotFound()) {
            rr.kind = ResumeResult::Returned;
            rr.value = Value::none();
            return rr;
        }
    } else {
        r = callMethod(ts, it, "send", std::span<const Value>(&send, 1));
    }
    if (r.isError()) {
        if (ts.exceptionMatches(types().StopIteration)) {
            Value e = ts.fetchException();
            rr.kind = ResumeResult::Returned;
            rr.value = stopIterationValue(e);
            return rr;
        }
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    rr.kind = ResumeResult::Yielded;
    rr.value = r;
    return rr;
}

static ResumeResult resumeStep(ThreadState &ts, AsyncGenStep *st, const Value &sent, const Value *exc)
{
    ResumeResult rr;
    auto *g = st->gen.as<GeneratorObject>();
    // the generator is exhausted: aclose() is done, asend() and athrow() raise StopAsyncIteration
    auto exhausted = [&] {
        if (st->isClose) {
            rr.kind = ResumeResult::Returned;
        } else {
            ts.raise(types().StopAsyncIteration);
            rr.kind = ResumeResult::Raised;
        }
        return rr;
    };
    if (st->state == 2) {
        ts.raise(types().RuntimeError, "cannot reuse already awaited __anext__()/asend()");
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    ResumeResult r;
    if (st->state == 0) {
        st->state = 1;
        if (g->state.load() == GeneratorObject::Done) {
            st->state = 2;
            return exhausted();
        }
        if (!st->throwExc.isNone()) {
            Value e = st->throwExc;
            r = resumeGenerator(ts, g, Value::none(), &e);
        } else {
            r = resumeGenerator(ts, g, st->sendValue, exc);
        }
    } else {
        r = resumeGenerator(ts, g, sent, exc);
    }
    if (r.kind == ResumeResult::Yielded) {
        if (g->lastWasAsyncGenYield) {
            st->state = 2;
            if (st->isClose) {
                ts.raise(types().RuntimeError, "async generator ignored GeneratorExit");
                rr.kind = ResumeResult::Raised;
                return rr;
            }
            rr.kind = ResumeResult::Returned;
            rr.value = r.value;
            return rr;
        }
        return r;
    }
    st->state = 2;
    if (r.kind == ResumeResult::Returned)
        return exhausted();
    if (st->isClose && (ts.exceptionMatches(types().GeneratorExit) || ts.exceptionMatches(types().StopAsyncIteration))) {
        ts.fetchException();
        rr.kind = ResumeResult::Returned;
        return rr;
    }
    return r;
}

static ResumeResult resumeGenerator(ThreadState &ts, GeneratorObject *g, const Value &send, const Value *exc)
{
    ResumeResult rr;
    int st = g->state.load(std::memory_order_acquire);
    const char *what = g->genKind == GeneratorObject::Coroutine ? "coroutine" : "generator";
    if (st == GeneratorObject::Running) {
        ts.raise(types().ValueError, std::string(what) + " already executing");
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    if (st == GeneratorObject::Done) {
        if (exc) {
            ts.restoreException(*exc);
            rr.kind = ResumeResult::Raised;
            return rr;
        }
        if (g->genKind == GeneratorObject::Coroutine)
            ts.raise(types().RuntimeError, "cannot reuse already awaited coroutine");
        else
            ts.raise(types().StopIteration);
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    if (st == GeneratorObject::Created) {
        if (exc) {
            g->state.store(GeneratorObject::Done, std::memory_order_release);
            ts.restoreException(*exc);
            rr.kind = ResumeResult::Raised;
            return rr;
        }
        if (!send.isNone()) {
            ts.raise(types().TypeError, std::string("can't send non-None value to a just-started ") + what);
            rr.kind = ResumeResult::Raised;
            return rr;
        }
    }
    if (!g->state.compare_exchange_strong(st, GeneratorObject::Running, std::memory_order_acq_rel)) {
        // another thread resumed it between our check and now
        ts.raise(types().ValueError, std::string(what) + " already executing");
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    Value keep(g); // the frame must outlive this call even if the caller drops the generator
    Frame &fr = g->frame;
    if (exc) {
        ts.restoreException(*exc);
        fr.pc |= 0x80000000u; // throw mode, see runFrame
    } else if (st == GeneratorObject::Suspended) {
        *fr.sp++ = send;
    }
    Value r = runFrame(ts, fr);
    if (r.isError()) {
        g->state.store(GeneratorObject::Done, std::memory_order_release);
        // release the frame's references now, as on a return: a coroutine that ended with an
        // exception must not keep its locals (a TaskGroup, a Timeout holding its task) alive
        releaseFrameStorage(g);
        if (ts.exceptionMatches(types().StopIteration) || (g->genKind == GeneratorObject::AsyncGenerator && ts.exceptionMatches(types().StopAsyncIteration))) {
            Value cause = ts.fetchException();
            const char *gkind = g->genKind == GeneratorObject::AsyncGenerator ? "async generator" : what;
            std::string which = cause.type() == types().StopAsyncIteration ? "StopAsyncIteration" : "StopIteration";
            ts.raise(types().RuntimeError, std::string(gkind) + " raised " + which);
            Value ne = ts.peekException();
            ne.as<ExceptionObject>()->cause = cause;
            ne.as<ExceptionObject>()->context = cause;
            ne.as<ExceptionObject>()->suppressContext = true;
        }
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    if (fr.pc & 0x40000000u) {
        fr.pc &= ~0x40000000u;
        g->state.store(GeneratorObject::Suspended, std::memory_order_release);
        rr.kind = ResumeResult::Yielded;
        rr.value = std::move(r);
        return rr;
    }
    g->state.store(GeneratorObject::Done, std::memory_order_release);
    releaseFrameStorage(g); // the frame's references go now
    rr.kind = ResumeResult::Returned;
    rr.value = std::move(r);
    return rr;
}

ResumeResult resume(ThreadState &ts, const Value &gen, const Value &send) { return resumeAny(ts, gen, send, nullptr); }
ResumeResult throwInto(ThreadState &ts, const Value &gen, const Value &exc)
{
    Value e = exceptionFromTypeOrInstance(ts, exc);
    if (e.isError()) {
        ResumeResult rr;
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    return resumeAny(ts, gen, Value::none(), &e);
}

ResumeResult close(ThreadState &ts, const Value &gen)
{
    ResumeResult rr;
    if (gen.isGenerator()) {
        auto *g = gen.as<GeneratorObject>();
        int st = g->state.load();
        if (st == GeneratorObject::Created || st == GeneratorObject::Done) {
            g->state.store(GeneratorObject::Done);
            rr.kind = ResumeResult::Returned;
            return rr;
        }
    }
    Value exc = makeException(types().GeneratorExit, "");
    exc.as<ExceptionObject>()->args = makeTuple({});
    ResumeResult r = resumeAny(ts, gen, Value::none(), &exc);
    if (r.kind == ResumeResult::Yielded) {
        ts.raise(types().RuntimeError, "generator ignored GeneratorExit");
        rr.kind = ResumeResult::Raised;
        return rr;
    }
    if (r.kind == ResumeResult::Raised &&
        (ts.exceptionMatches(types().GeneratorExit) || ts.exceptionMatches(types().StopIteration))) {
        ts.fetchException();
        rr.kind = ResumeResult::Returned;
        return rr;
    }
    return r;
}

bool isCoroutine(const Value &v) { return v.isGenerator() && v.as<GeneratorObject>()->genKind == GeneratorObject::Coroutine; }
bool isAsyncGenerator(const Value &v) { return v.isGenerator() && v.as<GeneratorObject>()->genKind == GeneratorObject::AsyncGenerator; }
bool isGeneratorObject(const Value &v) { return v.isGenerator() && v.as<GeneratorObject>()->genKind == GeneratorObject::Generator; }
std::string generatorName(const Value &gen)
{
    if (gen.isGenerator())
        return gen.as<GeneratorObject>()->qualname;
    return typeName(gen);
}

Value getAwaitable(ThreadState &ts, const Value &x)
{
    if (isCoroutine(x)) {
        if (x.as<GeneratorObject>()->state.load() == GeneratorObject::Running)
            return ts.raise(types().RuntimeError, "coroutine is being awaited already");
        return x;
    }
    if (x.isObject() && x.ptr()->kind() == ObjKind::Other && dynamic_cast<AsyncGenStep *>(x.ptr()))
        return x;
    Value m = x.type()->lookup("__await__");
    if (m.isNotFound())
        return ts.raise(types().TypeError, "object " + typeName(x) + " can't be used in 'await' expression");
    Value it = call(ts, m, {x});
    if (it.isError())
        return it;
    if (isCoroutine(it))
        return ts.raise(types().TypeError, "__await__() returned a coroutine");
    return it;
}

// ------------------------------------------------------------------ the loop
static inline bool stackTooDeep(ThreadState &ts)
{
    // the frame address, not a local's: sanitizers may move locals to a fake stack
    char *here = static_cast<char *>(__builtin_frame_address(0));
    return ts.stackBase && here < ts.stackBase;
}

bool nativeRecursionExceeded(ThreadState &ts, const char *what)
{
    if (!stackTooDeep(ts))
        return false;
    ts.raise(types().RecursionError, std::string("maximum recursion depth exceeded") + what);
    return true;
}

// Builtins written in the language itself (the exception groups): the first lookup of one
// imports their module, which puts them into builtins. notFound() for any other name.
static Value lateBuiltin(ThreadState &ts, Frame &f, const std::string &name)
{
    if ((name != "ExceptionGroup" && name != "BaseExceptionGroup") || !f.builtins)
        return Value::notFound();
    if (ts.interpreter().importModule(ts, "_exceptiongroups").isError())
        return Value::error();
    return f.builtins->getStr(name);
}

static Value lookupGlobal(ThreadState &ts, Frame &f, std::uint32_t idx)
{
    const Code &c = *f.code;
    const Value &name = c.names[idx];
    DictObject *g = f.globals;
    std::uint32_t cached = c.globalCache[idx].load(std::memory_order_relaxed);
    if (cached) {
        ContainerGuard guard(g->lock);
        auto &ents = g->entries();
        std::uint32_t ix = cached - 1;
        if (ix < ents.size() && (ents[ix].key.is(name) || (ents[ix].key.isStr() && ents[ix].key.asString() == name.asString())))
            return ents[ix].value;
    }
    {
        ContainerGuard guard(g->lock);
        auto &ents = g->entries();
        // a probe through the table, then remember the entry index
        (void)ents;
    }
    Value v = g->getStr(name.asString());
    if (!v.isNotFound()) {
        ContainerGuard guard(g->lock);
        auto &ents = g->entries();
        for (std::size_t i = 0; i < ents.size(); ++i)
            if (ents[i].key.is(name)) {
                c.globalCache[idx].store(static_cast<std::uint32_t>(i + 1), std::memory_order_relaxed);
                break;
            }
        return v;
    }
    Value b = f.builtins ? f.builtins->getStr(name.asString()) : Value::notFound();
    if (!b.isNotFound())
        return b;
    b = lateBuiltin(ts, f, name.asString());
    if (!b.isNotFound())
        return b;
    return ts.raise(types().NameError, "name '" + name.asString() + "' is not defined");
}

static void storeGlobal(Frame &f, std::uint32_t idx, Value v)
{
    const Code &c = *f.code;
    const Value &name = c.names[idx];
    DictObject *g = f.globals;
    std::uint32_t cached = c.globalCache[idx].load(std::memory_order_relaxed);
    if (cached) {
        ContainerGuard guard(g->lock);
        auto &ents = g->entriesMut();
        std::uint32_t ix = cached - 1;
        if (ix < ents.size() && ents[ix].key.is(name)) {
            ents[ix].value = std::move(v);
            return;
        }
    }
    g->setStr(name, std::move(v));
}

// Sets up the cache entry index for a global store once the key exists.
static void cacheGlobal(Frame &f, std::uint32_t idx)
{
    const Code &c = *f.code;
    const Value &name = c.names[idx];
    DictObject *g = f.globals;
    ContainerGuard guard(g->lock);
    auto &ents = g->entries();
    for (std::size_t i = ents.size(); i-- > 0;)
        if (ents[i].key.is(name)) {
            c.globalCache[idx].store(static_cast<std::uint32_t>(i + 1), std::memory_order_relaxed);
            return;
        }
}

static Value unboundLocal(ThreadState &ts, const Code &c, std::uint32_t slot)
{
    return ts.raise(types().UnboundLocalError,
                    "cannot access local variable '" + c.varnames[slot] + "' where it is not associated with a value");
}

static Value unboundDeref(ThreadState &ts, const Code &c, std::uint32_t i)
{
    if (i < c.cellvars.size())
        return ts.raise(types().UnboundLocalError,
                        "cannot access local variable '" + c.cellvars[i] + "' where it is not associated with a value");
    return ts.raise(types().NameError, "cannot access free variable '" + c.freevars[i - c.cellvars.size()] +
                                           "' where it is not associated with a value in enclosing scope");
}

static Value makeFunction(ThreadState &ts, Frame &f, const Instr &in, Value *&sp)
{
    (void)ts;
    auto code = f.code->children[in.arg];
    Value globals = Value(static_cast<Object *>(f.globals));
    auto *fn = new FunctionObject(code, globals);
    Value fv(fn);
    if (in.extra & 8) {
        Value t = std::move(*--sp);
        fn->closure = t.as<TupleObject>()->items;
    }
    if (in.extra & 4) {
        Value t = std::move(*--sp);
        fn->annotations = t.as<TupleObject>()->items;
    }
    if (in.extra & 2) {
        Value t = std::move(*--sp);
        fn->kwDefaults = t.as<TupleObject>()->items;
    }
    if (in.extra & 1) {
        Value t = std::move(*--sp);
        fn->defaults = t.as<TupleObject>()->items;
    }
    Value mod = f.globals->getStr("__name__");
    fn->moduleName = mod.isNotFound() ? Value::none() : mod;
    return fv;
}

static bool unpackInto(ThreadState &ts, const Value &seq, std::size_t before, std::size_t after, bool star, Value *&sp)
{
    std::vector<Value> items;
    if (seq.isTuple())
        items = seq.as<TupleObject>()->items;
    else if (seq.isList()) {
        ContainerGuard g(seq.as<ListObject>()->lock);
        items = seq.as<ListObject>()->items;
    } else if (!collect(ts, seq, items)) {
        if (ts.exceptionMatches(types().TypeError)) {
            ts.fetchException();
            ts.raise(types().TypeError, "cannot unpack non-iterable " + typeName(seq) + " object");
        }
        return false;
    }
    if (!star) {
        if (items.size() != before) {
            if (items.size() > before)
                ts.raise(types().ValueError, "too many values to unpack (expected " + std::to_string(before) + ")");
            else
                ts.raise(types().ValueError, "not enough values to unpack (expected " + std::to_string(before) + ", got " +
                                                 std::to_string(items.size()) + ")");
            return false;
        }
        for (std::size_t i = before; i-- > 0;)
            *sp++ = items[i];
        return true;
    }
    if (items.size() < before + after) {
        ts.raise(types().ValueError, "not enough values to unpack (expected at least " + std::to_string(before + after) +
                                         ", got " + std::to_string(items.size()) + ")");
        return false;
    }
    for (std::size_t i = 0; i < after; ++i)
        *sp++ = items[items.size() - 1 - i];
    std::vector<Value> mid(items.begin() + before, items.end() - after);
    *sp++ = makeList(std::move(mid));
    for (std::size_t i = before; i-- > 0;)
        *sp++ = items[i];
    return true;
}

static Value importName(ThreadState &ts, const Value &name, bool leaf)
{
    const std::string &n = name.asString();
    Value m = ts.interpreter().importModule(ts, n);
    if (m.isError() || leaf)
        return m;
    std::size_t dot = n.find('.');
    if (dot == std::string::npos)
        return m;
    return ts.interpreter().importModule(ts, n.substr(0, dot));
}

static Value importFrom(ThreadState &ts, const Value &module, const Value &name)
{
    Value v = getAttrOpt(ts, module, name.asString());
    if (v.isError())
        return v;
    if (!v.isNotFound())
        return v;
    std::string modName = module.isModule() ? module.as<ModuleObject>()->name : "?";
    Value sub = ts.interpreter().moduleIfLoaded(modName + "." + name.asString());
    if (sub.isNotFound()) {
        sub = ts.interpreter().importModule(ts, modName + "." + name.asString());
        if (sub.isError()) {
            if (ts.exceptionMatches(types().ModuleNotFoundError))
                ts.fetchException();
            else
                return sub;
            sub = Value::notFound();
        }
    }
    if (!sub.isNotFound())
        return sub;
    return ts.raise(types().ImportError, "cannot import name '" + name.asString() + "' from '" + modName + "' (unknown location)");
}

#define PUSH(v) (*sp++ = (v))
#define POP() (std::move(*--sp))
#define TOP() (sp[-1])
#define SECOND() (sp[-2])

Value runFrame(ThreadState &ts, Frame &f)
{
    const Code &code = *f.code;
    const Instr *const base = code.code.data();
    Interpreter &interp = ts.interpreter();
    if (!f.builtins)
        f.builtins = interp.builtinsRaw();

    // frame bookkeeping
    f.back = ts.topFrame;
    ts.topFrame = &f;
    int depthSlot = ts.depth++;
    if (depthSlot < ThreadState::kSampleDepth) {
        ts.sampleStack[depthSlot].code.store(&code, std::memory_order_relaxed);
        ts.sampleStack[depthSlot].pc.store(f.pc & 0x3fffffffu, std::memory_order_relaxed);
    }
    ts.sampleDepth.store(ts.depth, std::memory_order_release);
    struct Leave {
        ThreadState &ts;
        Frame &f;
        ~Leave()
        {
            ts.depth--;
            ts.sampleDepth.store(ts.depth < ThreadState::kSampleDepth ? ts.depth : ThreadState::kSampleDepth, std::memory_order_release);
            ts.topFrame = f.back;
        }
    } leave{ts, f};

    Value *sp = f.sp;
    Value *fast = f.fast;
    const Instr *ip = base + (f.pc & 0x3fffffffu);
    bool skipTb = false;
    Value result;
    const std::shared_ptr<const Code> *owner = ownerOf(f);

    auto samplePc = [&](const Instr *at) {
        if (depthSlot < ThreadState::kSampleDepth)
            ts.sampleStack[depthSlot].pc.store(static_cast<std::uint32_t>(at - base), std::memory_order_relaxed);
    };

    if (ts.evalBreaker.load(std::memory_order_relaxed) && !(f.pc & 0x80000000u)) [[unlikely]] {
        // calls are eval-breaker checks too (recursive code has no back-edges)
        if (!ts.handleEvalBreaker()) {
            f.pc &= 0x3fffffffu;
            if (f.gen) {
                ip = base + f.pc + 1;
                goto error;
            }
            while (sp > f.stack)
                (void)POP();
            f.sp = sp;
            return Value::error();
        }
    }
    if (ts.depth > interp.recursionLimit() || stackTooDeep(ts)) {
        ts.raise(types().RecursionError, "maximum recursion depth exceeded");
        f.pc &= 0x3fffffffu;
        if (f.gen) {
            ip = base + f.pc + 1;
            goto error;
        }
        // clear the frame's stack and return
        while (sp > f.stack)
            (void)POP();
        f.sp = sp;
        return Value::error();
    }

    if (f.pc & 0x80000000u) {
        // thrown into a suspended generator
        f.pc &= 0x3fffffffu;
        ip = base + f.pc;
        if (ip < base + code.code.size() && ip->op == Op::YieldFrom && f.gen && ts.hasException()) {
            Value exc = ts.fetchException();
            Value it = TOP();
            ResumeResult r;
            if (exc.type()->isSubtypeOf(types().GeneratorExit)) {
                r = close(ts, it);
                if (r.kind != ResumeResult::Raised) {
                    ts.restoreException(exc);
                    (void)POP();
                    ++ip;
                    goto error;
                }
            } else {
                r = resumeAny(ts, it, Value::none(), &exc);
            }
            if (r.kind == ResumeResult::Yielded) {
                f.sp = sp;
                f.pc = static_cast<std::uint32_t>(ip - base) | 0x40000000u;
                return r.value;
            }
            (void)POP();
            ++ip;
            if (r.kind == ResumeResult::Returned) {
                PUSH(r.value);
                goto dispatch;
            }
            goto error;
        }
        goto error;
    }

dispatch:
    try {
    for (;;) {
        const Instr &in = *ip++;
        switch (in.op) {
        case Op::Nop: break;
        case Op::LoadConst: PUSH(code.consts[in.arg]); break;
        case Op::LoadFast: {
            const Value &v = fast[in.arg];
            if (v.isUnbound()) [[unlikely]] {
                unboundLocal(ts, code, in.arg);
                goto error;
            }
            PUSH(v);
            break;
        }
        case Op::StoreFast: fast[in.arg] = POP(); break;
        case Op::DeleteFast:
            if (fast[in.arg].isUnbound()) {
                unboundLocal(ts, code, in.arg);
                goto error;
            }
            fast[in.arg] = Value::unbound();
            break;
        case Op::LoadDeref: {
            Value &cell = fast[code.nlocals() + in.arg];
            const Value &v = cell.as<CellObject>()->value;
            if (v.isUnbound()) {
                unboundDeref(ts, code, in.arg);
                goto error;
            }
            PUSH(v);
            break;
        }
        case Op::StoreDeref: fast[code.nlocals() + in.arg].as<CellObject>()->value = POP(); break;
        case Op::DeleteDeref: fast[code.nlocals() + in.arg].as<CellObject>()->value = Value::unbound(); break;
        case Op::LoadClosure: PUSH(fast[code.nlocals() + in.arg]); break;
        case Op::LoadGlobal: {
            if (!g_lockContainers.load(std::memory_order_relaxed)) {
                std::uint32_t cached = code.globalCache[in.arg].load(std::memory_order_relaxed);
                auto &ents = f.globals->entries();
                if (cached && cached - 1 < ents.size() && ents[cached - 1].key.is(code.names[in.arg])) [[likely]] {
                    PUSH(ents[cached - 1].value);
                    break;
                }
            }
            Value v = lookupGlobal(ts, f, in.arg);
            if (v.isError())
                goto error;
            PUSH(std::move(v));
            break;
        }
        case Op::StoreGlobal: {
            storeGlobal(f, in.arg, POP());
            if (!code.globalCache[in.arg].load(std::memory_order_relaxed))
                cacheGlobal(f, in.arg);
            break;
        }
        case Op::DeleteGlobal: {
            bool found;
            if (!f.globals->remove(ts, code.names[in.arg], found))
                goto error;
            if (!found) {
                ts.raise(types().NameError, "name '" + code.names[in.arg].asString() + "' is not defined");
                goto error;
            }
            break;
        }
        case Op::LoadName: {
            const Value &name = code.names[in.arg];
            Value v = f.localsDict.isDict() ? f.localsDict.as<DictObject>()->getStr(name.asString()) : Value::notFound();
            if (v.isNotFound())
                v = f.globals->getStr(name.asString());
            if (v.isNotFound())
                v = f.builtins->getStr(name.asString());
            if (v.isNotFound())
                v = lateBuiltin(ts, f, name.asString());
            if (v.isError())
                goto error;
            if (v.isNotFound()) {
                ts.raise(types().NameError, "name '" + name.asString() + "' is not defined");
                goto error;
            }
            PUSH(std::move(v));
            break;
        }
        case Op::StoreName:
            if (f.localsDict.isDict())
                f.localsDict.as<DictObject>()->setStr(code.names[in.arg], POP());
            else
                f.globals->setStr(code.names[in.arg], POP());
            break;
        case Op::DeleteName: {
            bool found;
            DictObject *d = f.localsDict.isDict() ? f.localsDict.as<DictObject>() : f.globals;
            if (!d->remove(ts, code.names[in.arg], found))
                goto error;
            if (!found) {
                ts.raise(types().NameError, "name '" + code.names[in.arg].asString() + "' is not defined");
                goto error;
            }
            break;
        }
        case Op::LoadLocals: PUSH(f.localsDict); break;
        case Op::LoadAttr: {
            Value obj = POP();
            if (obj.isKind(ObjKind::Instance)) {
                // plain instance attribute, not shadowed by a property on the class
                const Value &name = code.names[in.arg];
                Value v = obj.as<InstanceObject>()->attrs.getStr(name);
                if (!v.isNotFound()) {
                    Value desc = obj.ptr()->type()->lookup(name);
                    if (!desc.isKind(ObjKind::Property)) {
                        PUSH(std::move(v));
                        break;
                    }
                }
            }
            Value v = getAttr(ts, obj, code.names[in.arg].asString());
            if (v.isError())
                goto error;
            PUSH(std::move(v));
            break;
        }
        case Op::StoreAttr: {
            Value obj = POP();
            Value v = POP();
            if (obj.isKind(ObjKind::Instance)) {
                const Value &name = code.names[in.arg];
                if (!obj.ptr()->type()->lookup(name).isKind(ObjKind::Property)) {
                    obj.as<InstanceObject>()->attrs.setStr(name, std::move(v));
                    break;
                }
            }
            if (!setAttr(ts, obj, code.names[in.arg].asString(), v))
                goto error;
            break;
        }
        case Op::DeleteAttr: {
            Value obj = POP();
            if (!setAttr(ts, obj, code.names[in.arg].asString(), Value::unbound()))
                goto error;
            break;
        }
        case Op::LoadMethod: {
            Value obj = POP();
            const Value &nameV = code.names[in.arg];
            const std::string &name = nameV.asString();
            // method fast path: a plain function found on the type, not shadowed
            if (obj.isObject() && obj.ptr()->kind() != ObjKind::Type && obj.ptr()->kind() != ObjKind::Module) {
                Value m = obj.ptr()->type()->lookup(nameV);
                if (m.isObject() && (m.ptr()->kind() == ObjKind::Function || m.ptr()->kind() == ObjKind::NativeFunction)) {
                    bool shadowed = false;
                    if (obj.ptr()->kind() == ObjKind::Instance || obj.ptr()->kind() == ObjKind::Exception)
                        shadowed = !obj.as<InstanceObject>()->attrs.getStr(nameV).isNotFound();
                    else if (obj.ptr()->kind() == ObjKind::Native)
                        shadowed = !obj.as<NativeObject>()->attrs.getStr(nameV).isNotFound();
                    if (!shadowed) {
                        PUSH(std::move(m));
                        PUSH(std::move(obj));
                        break;
                    }
                }
            } else if (!obj.isObject()) {
                Value m = obj.type()->lookup(nameV);
                if (m.isObject() && m.ptr()->kind() == ObjKind::NativeFunction) {
                    PUSH(std::move(m));
                    PUSH(std::move(obj));
                    break;
                }
            }
            Value v = getAttr(ts, obj, name);
            if (v.isError())
                goto error;
            PUSH(std::move(v));
            PUSH(Value::notFound());
            break;
        }
        case Op::CallMethod: {
            samplePc(ip - 1);
            std::size_t n = in.arg;
            Value *argv = sp - n;
            Value &self = argv[-1];
            Value &callee = argv[-2];
            Value r;
            if (self.isNotFound())
                r = callValue(ts, callee, argv, n, nullptr);
            else
                r = callValue(ts, callee, argv - 1, n + 1, nullptr);
            while (sp > argv - 2)
                (void)POP();
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::BinarySubscr: {
            Value key = POP();
            Value obj = POP();
            Value r;
            if (obj.isList() && key.isSmallInt()) {
                auto *l = obj.as<ListObject>();
                ContainerGuard g(l->lock);
                std::int64_t i = key.smallValue();
                std::int64_t n = static_cast<std::int64_t>(l->items.size());
                if (i < 0)
                    i += n;
                if (i >= 0 && i < n) {
                    PUSH(l->items[i]);
                    break;
                }
            }
            r = getItem(ts, obj, key);
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::StoreSubscr: {
            Value key = POP();
            Value obj = POP();
            Value v = POP();
            if (!setItem(ts, obj, key, v))
                goto error;
            break;
        }
        case Op::DeleteSubscr: {
            Value key = POP();
            Value obj = POP();
            if (!setItem(ts, obj, key, Value::unbound()))
                goto error;
            break;
        }
        case Op::Pop: (void)POP(); break;
        case Op::Dup: {
            Value v = TOP();
            PUSH(std::move(v));
            break;
        }
        case Op::Dup2: {
            Value a = SECOND(), b = TOP();
            PUSH(std::move(a));
            PUSH(std::move(b));
            break;
        }
        case Op::Rot2: std::swap(sp[-1], sp[-2]); break;
        case Op::Rot3: {
            Value t = std::move(sp[-1]);
            sp[-1] = std::move(sp[-2]);
            sp[-2] = std::move(sp[-3]);
            sp[-3] = std::move(t);
            break;
        }
        case Op::Rot4: {
            Value t = std::move(sp[-1]);
            sp[-1] = std::move(sp[-2]);
            sp[-2] = std::move(sp[-3]);
            sp[-3] = std::move(sp[-4]);
            sp[-4] = std::move(t);
            break;
        }
        case Op::Binary:
        case Op::InplaceBinary: {
            Value &l = sp[-2];
            Value &r = sp[-1];
            if (l.isSmallInt() && r.isSmallInt()) {
                std::int64_t a = l.smallValue(), b = r.smallValue(), x;
                bool done = true;
                switch (static_cast<ast::Operator>(in.arg)) {
                case ast::Operator::Add: x = a + b; break;
                case ast::Operator::Sub: x = a - b; break;
                case ast::Operator::Mult:
                    if (__builtin_mul_overflow(a, b, &x))
                        done = false;
                    break;
                case ast::Operator::BitAnd: x = a & b; break;
                case ast::Operator::BitOr: x = a | b; break;
                case ast::Operator::BitXor: x = a ^ b; break;
                case ast::Operator::FloorDiv:
                    if (b == 0) {
                        done = false;
                        break;
                    }
                    x = a / b;
                    if ((a % b != 0) && ((a < 0) != (b < 0)))
                        --x;
                    break;
                case ast::Operator::Mod:
                    if (b == 0) {
                        done = false;
                        break;
                    }
                    x = a % b;
                    if (x != 0 && ((x < 0) != (b < 0)))
                        x += b;
                    break;
                default: done = false; break;
                }
                if (done && Value::fitsSmall(x)) {
                    --sp;
                    sp[-1] = Value::smallInt(x);
                    break;
                }
            }
            Value rv = binaryOp(ts, static_cast<ast::Operator>(in.arg), l, r, in.op == Op::InplaceBinary);
            (void)POP();
            (void)POP();
            if (rv.isError())
                goto error;
            PUSH(std::move(rv));
            break;
        }
        case Op::Unary: {
            Value v = POP();
            Value r = unaryOp(ts, static_cast<ast::UnaryOperator>(in.arg), v);
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::Compare: {
            Value &l = sp[-2];
            Value &r = sp[-1];
            if (l.isSmallInt() && r.isSmallInt()) {
                std::int64_t a = l.smallValue(), b = r.smallValue();
                bool res;
                bool done = true;
                switch (static_cast<ast::CmpOperator>(in.arg)) {
                case ast::CmpOperator::Lt: res = a < b; break;
                case ast::CmpOperator::LtE: res = a <= b; break;
                case ast::CmpOperator::Gt: res = a > b; break;
                case ast::CmpOperator::GtE: res = a >= b; break;
                case ast::CmpOperator::Eq: case ast::CmpOperator::Is: res = a == b; break;
                case ast::CmpOperator::NotEq: case ast::CmpOperator::IsNot: res = a != b; break;
                default: done = false; res = false; break;
                }
                if (done) {
                    --sp;
                    sp[-1] = Value::fromBool(res);
                    break;
                }
            }
            Value rv = compareOp(ts, static_cast<ast::CmpOperator>(in.arg), l, r);
            (void)POP();
            (void)POP();
            if (rv.isError())
                goto error;
            PUSH(std::move(rv));
            break;
        }
        case Op::Jump:
            if (in.arg <= static_cast<std::uint32_t>(ip - base - 1)) {
                // back-edge: the eval breaker
                if (ts.evalBreaker.load(std::memory_order_relaxed)) [[unlikely]] {
                    samplePc(ip - 1);
                    f.sp = sp;
                    if (!ts.handleEvalBreaker())
                        goto error;
                }
                if (depthSlot < ThreadState::kSampleDepth)
                    ts.sampleStack[depthSlot].pc.store(in.arg, std::memory_order_relaxed);
            }
            ip = base + in.arg;
            break;
        case Op::PopJumpIfFalse:
        case Op::PopJumpIfTrue: {
            Value v = POP();
            int t;
            if (v.isBool())
                t = v.asBool();
            else if (v.isNone())
                t = 0;
            else if (v.isSmallInt())
                t = v.smallValue() != 0;
            else {
                t = truthy(ts, v);
                if (t < 0)
                    goto error;
            }
            if ((in.op == Op::PopJumpIfTrue) == (t != 0))
                ip = base + in.arg;
            break;
        }
        case Op::JumpIfFalseOrPop:
        case Op::JumpIfTrueOrPop: {
            int t = truthy(ts, TOP());
            if (t < 0)
                goto error;
            if ((in.op == Op::JumpIfTrueOrPop) == (t != 0))
                ip = base + in.arg;
            else
                (void)POP();
            break;
        }
        case Op::GetIter: {
            Value v = POP();
            Value it = getIter(ts, v);
            if (it.isError())
                goto error;
            PUSH(std::move(it));
            break;
        }
        case Op::ForIter: {
            Value &it = TOP();
            if (it.isKind(ObjKind::Iterator)) {
                auto *io = it.as<IteratorObject>();
                if (io->isRange) {
                    std::int64_t cur = io->rangeCur;
                    if (io->rangeStep > 0 ? cur < io->rangeStop : cur > io->rangeStop) {
                        io->rangeCur = cur + io->rangeStep;
                        if (Value::fitsSmall(cur)) [[likely]]
                            PUSH(Value::smallInt(cur));
                        else
                            PUSH(Value::fromInt(cur));
                        break;
                    }
                    (void)POP();
                    ip = base + in.arg;
                    break;
                }
            }
            Value nx = iterNext(ts, it);
            if (nx.isError())
                goto error;
            if (nx.isNotFound()) {
                (void)POP();
                ip = base + in.arg;
                break;
            }
            PUSH(std::move(nx));
            break;
        }
        case Op::Call: {
            samplePc(ip - 1);
            std::size_t n = in.arg;
            Value *argv = sp - n;
            Value r = callValue(ts, argv[-1], argv, n, nullptr);
            while (sp > argv - 1)
                (void)POP();
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::CallKw: {
            samplePc(ip - 1);
            Value names = POP();
            std::size_t n = in.arg;
            Value *argv = sp - n;
            Value r = callValue(ts, argv[-1], argv, n, names.as<TupleObject>());
            while (sp > argv - 1)
                (void)POP();
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::CallEx: {
            samplePc(ip - 1);
            Value kw = in.arg ? POP() : Value::none();
            Value args = POP();
            Value fn = POP();
            std::vector<Value> all = args.as<TupleObject>()->items;
            Value kn;
            if (kw.isDict()) {
                std::vector<Value> names;
                for (auto &kv : kw.as<DictObject>()->items()) {
                    if (!kv.first.isStr()) {
                        ts.raise(types().TypeError, "keywords must be strings");
                        goto error;
                    }
                    names.push_back(kv.first);
                    all.push_back(kv.second);
                }
                if (!names.empty())
                    kn = makeTuple(std::move(names));
            }
            Value r = callValue(ts, fn, all.data(), all.size(), kn.isTuple() ? kn.as<TupleObject>() : nullptr);
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::MakeFunction: {
            Value fn = makeFunction(ts, f, in, sp);
            PUSH(std::move(fn));
            break;
        }
        case Op::BuildList:
        case Op::BuildTuple: {
            std::vector<Value> items(in.arg);
            for (std::size_t i = in.arg; i-- > 0;)
                items[i] = POP();
            PUSH(in.op == Op::BuildList ? makeList(std::move(items)) : makeTuple(std::move(items)));
            break;
        }
        case Op::BuildSet: {
            auto *s = new SetObject();
            Value sv(s);
            Value *first = sp - in.arg;
            for (Value *p = first; p < sp; ++p)
                if (!s->table.set(ts, *p, Value::none())) {
                    while (sp > first)
                        (void)POP();
                    goto error;
                }
            while (sp > first)
                (void)POP();
            PUSH(std::move(sv));
            break;
        }
        case Op::BuildMap: {
            auto *d = new DictObject();
            Value dv(d);
            Value *first = sp - 2 * in.arg;
            for (Value *p = first; p < sp; p += 2)
                if (!d->set(ts, p[0], p[1])) {
                    while (sp > first)
                        (void)POP();
                    goto error;
                }
            while (sp > first)
                (void)POP();
            PUSH(std::move(dv));
            break;
        }
        case Op::BuildSlice: {
            Value step = in.arg == 3 ? POP() : Value::none();
            Value stop = POP();
            Value start = POP();
            PUSH(Value(new SliceObject(start, stop, step)));
            break;
        }
        case Op::BuildString: {
            std::string s;
            Value *first = sp - in.arg;
            for (Value *p = first; p < sp; ++p)
                s += p->asString();
            while (sp > first)
                (void)POP();
            PUSH(makeStr(std::move(s)));
            break;
        }
        case Op::FormatValue: {
            Value spec = (in.arg >> 8) ? POP() : Value::none();
            Value v = POP();
            int conv = in.arg & 0xff;
            if (conv == 'r' || conv == 'a') {
                v = reprValue(ts, v);
                if (v.isError())
                    goto error;
            } else if (conv == 's') {
                v = strValue(ts, v);
                if (v.isError())
                    goto error;
            }
            Value r;
            if (spec.isNone() && v.isStr())
                r = v;
            else
                r = formatWithSpec(ts, v, spec.isStr() ? std::string_view(spec.asString()) : std::string_view());
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::ListAppend: {
            Value v = POP();
            listAppend(sp[-static_cast<int>(in.arg)], std::move(v));
            break;
        }
        case Op::SetAdd: {
            Value v = POP();
            if (!sp[-static_cast<int>(in.arg)].as<SetObject>()->table.set(ts, v, Value::none()))
                goto error;
            break;
        }
        case Op::MapAdd: {
            Value v = POP();
            Value k = POP();
            if (!sp[-static_cast<int>(in.arg)].as<DictObject>()->set(ts, k, v))
                goto error;
            break;
        }
        case Op::ListExtend: {
            Value it = POP();
            std::vector<Value> items;
            if (!collect(ts, it, items)) {
                if (ts.exceptionMatches(types().TypeError) && !it.isObject()) {
                    ts.fetchException();
                    ts.raise(types().TypeError, "Value after * must be an iterable, not " + typeName(it));
                }
                goto error;
            }
            auto *l = sp[-static_cast<int>(in.arg)].as<ListObject>();
            for (auto &x : items)
                l->items.push_back(std::move(x));
            break;
        }
        case Op::ListToTuple: {
            Value l = POP();
            PUSH(makeTuple(l.as<ListObject>()->items));
            break;
        }
        case Op::DictUpdate:
        case Op::DictMerge: {
            Value src = POP();
            auto *d = sp[-static_cast<int>(in.arg)].as<DictObject>();
            if (!src.isDict()) {
                if (in.op == Op::DictMerge)
                    ts.raise(types().TypeError, "argument after ** must be a mapping, not " + typeName(src));
                else
                    ts.raise(types().TypeError, "'" + typeName(src) + "' object is not a mapping");
                goto error;
            }
            for (auto &kv : src.as<DictObject>()->items()) {
                if (in.op == Op::DictMerge) {
                    Value existing;
                    if (!d->get(ts, kv.first, existing))
                        goto error;
                    if (!existing.isNotFound()) {
                        ts.raise(types().TypeError, "got multiple values for keyword argument '" +
                                                        (kv.first.isStr() ? kv.first.asString() : std::string("?")) + "'");
                        goto error;
                    }
                }
                if (!d->set(ts, kv.first, kv.second))
                    goto error;
            }
            break;
        }
        case Op::UnpackSequence: {
            Value seq = POP();
            if (seq.isTuple() && seq.as<TupleObject>()->items.size() == in.arg) {
                auto &items = seq.as<TupleObject>()->items;
                for (std::size_t i = in.arg; i-- > 0;)
                    PUSH(items[i]);
                break;
            }
            if (!unpackInto(ts, seq, in.arg, 0, false, sp))
                goto error;
            break;
        }
        case Op::UnpackEx: {
            Value seq = POP();
            if (!unpackInto(ts, seq, in.arg & 0xff, in.arg >> 8, true, sp))
                goto error;
            break;
        }
        case Op::Return: {
            result = POP();
            while (sp > f.stack)
                (void)POP();
            f.sp = sp;
            f.pc = static_cast<std::uint32_t>(ip - base);
            return result;
        }
        case Op::Yield: {
            result = POP();
            if (f.gen)
                f.gen->lastWasAsyncGenYield = f.gen->genKind == GeneratorObject::AsyncGenerator;
            f.sp = sp;
            f.pc = static_cast<std::uint32_t>(ip - base) | 0x40000000u;
            return result;
        }
        case Op::YieldFrom: {
            Value sent = POP();
            Value it = TOP();
            samplePc(ip - 1);
            ResumeResult r = resumeAny(ts, it, sent, nullptr);
            if (r.kind == ResumeResult::Yielded) {
                if (f.gen)
                    f.gen->lastWasAsyncGenYield = false;
                f.sp = sp;
                f.pc = static_cast<std::uint32_t>(ip - 1 - base) | 0x40000000u;
                return r.value;
            }
            (void)POP();
            if (r.kind == ResumeResult::Raised)
                goto error;
            PUSH(std::move(r.value));
            break;
        }
        case Op::GetAwaitable: {
            Value v = POP();
            Value a = getAwaitable(ts, v);
            if (a.isError())
                goto error;
            PUSH(std::move(a));
            break;
        }
        case Op::GetYieldFromIter: {
            Value v = POP();
            if (isCoroutine(v)) {
                ts.raise(types().TypeError, "cannot 'yield from' a coroutine object in a non-coroutine generator");
                goto error;
            }
            Value it = v.isGenerator() ? v : getIter(ts, v);
            if (it.isError())
                goto error;
            PUSH(std::move(it));
            break;
        }
        case Op::GetAIter: {
            Value v = POP();
            Value m = v.type()->lookup("__aiter__");
            if (m.isNotFound()) {
                ts.raise(types().TypeError, "'async for' requires an object with __aiter__ method, got " + typeName(v));
                goto error;
            }
            Value it = call(ts, m, {v});
            if (it.isError())
                goto error;
            PUSH(std::move(it));
            break;
        }
        case Op::GetANext: {
            Value &ait = TOP();
            Value m = ait.type()->lookup("__anext__");
            if (m.isNotFound()) {
                ts.raise(types().TypeError, "'async for' requires an iterator with __anext__ method, got " + typeName(ait));
                goto error;
            }
            Value aw = call(ts, m, {ait});
            if (aw.isError())
                goto error;
            Value a = getAwaitable(ts, aw);
            if (a.isError())
                goto error;
            PUSH(std::move(a));
            break;
        }
        case Op::EndAsyncFor: {
            Value exc = POP();
            if (exc.type()->isSubtypeOf(types().StopAsyncIteration)) {
                (void)POP();
                break;
            }
            ts.restoreException(exc);
            skipTb = true;
            goto error;
        }
        case Op::SetupExcept:
        case Op::SetupCleanup:
            if (f.nblocks >= Frame::kMaxBlocks) {
                ts.raise(types().SyntaxError, "too many statically nested blocks");
                goto error;
            }
            f.blocks[f.nblocks++] = Block{in.arg, static_cast<std::uint32_t>(sp - f.stack)};
            break;
        case Op::PopBlock: --f.nblocks; break;
        case Op::PushExcInfo: {
            Value exc = POP();
            PUSH(f.handled);
            f.handled = exc;
            PUSH(std::move(exc));
            break;
        }
        case Op::PopExcept: f.handled = POP(); break;
        case Op::CheckExcMatch: {
            Value t = POP();
            const Value &exc = TOP();
            bool match = false;
            auto check = [&](const Value &ty) -> bool {
                if (!ty.isType() || !ty.as<TypeObject>()->isExceptionType()) {
                    ts.raise(types().TypeError, "catching classes that do not inherit from BaseException is not allowed");
                    return false;
                }
                if (exc.type()->isSubtypeOf(ty.as<TypeObject>()))
                    match = true;
                return true;
            };
            if (t.isTuple()) {
                for (auto &x : t.as<TupleObject>()->items)
                    if (!check(x))
                        goto error;
            } else if (!check(t)) {
                goto error;
            }
            PUSH(Value::fromBool(match));
            break;
        }
        case Op::Reraise: {
            Value exc = POP();
            ts.restoreException(exc);
            skipTb = true;
            goto error;
        }
        case Op::RaiseCleanup: {
            Value exc = POP();
            f.handled = POP();
            ts.restoreException(exc);
            skipTb = true;
            goto error;
        }
        case Op::Raise: {
            if (in.arg == 0) {
                Value h = ts.handledException();
                if (h.isNone()) {
                    ts.raise(types().RuntimeError, "No active exception to reraise");
                    goto error;
                }
                ts.restoreException(h);
                skipTb = true;
                goto error;
            }
            Value cause = in.arg == 2 ? POP() : Value::notFound();
            Value v = POP();
            Value exc = exceptionFromTypeOrInstance(ts, v);
            if (exc.isError())
                goto error;
            if (!cause.isNotFound()) {
                Value c = cause;
                if (!c.isNone()) {
                    c = exceptionFromTypeOrInstance(ts, cause);
                    if (c.isError()) {
                        ts.fetchException();
                        ts.raise(types().TypeError, "exception causes must derive from BaseException");
                        goto error;
                    }
                }
                exc.as<ExceptionObject>()->cause = c;
                exc.as<ExceptionObject>()->suppressContext = true;
            }
            ts.raise(exc);
            goto error;
        }
        case Op::SetupWith: {
            if (in.extra) {
                // async with: stack already holds aexit, enter-result
                if (f.nblocks >= Frame::kMaxBlocks) {
                    ts.raise(types().SyntaxError, "too many statically nested blocks");
                    goto error;
                }
                f.blocks[f.nblocks++] = Block{in.arg, static_cast<std::uint32_t>(sp - f.stack - 1)};
                break;
            }
            Value cm = POP();
            Value enter = cm.type()->lookup("__enter__");
            Value exit = cm.type()->lookup("__exit__");
            if (enter.isNotFound() || exit.isNotFound()) {
                ts.raise(types().TypeError, "'" + typeName(cm) + "' object does not support the context manager protocol");
                goto error;
            }
            PUSH(Value(new BoundMethodObject(cm, exit)));
            f.blocks[f.nblocks++] = Block{in.arg, static_cast<std::uint32_t>(sp - f.stack)};
            Value r = call(ts, enter, {cm});
            if (r.isError()) {
                --f.nblocks;
                goto error;
            }
            PUSH(std::move(r));
            break;
        }
        case Op::BeforeAsyncWith: {
            Value cm = POP();
            Value enter = cm.type()->lookup("__aenter__");
            Value exit = cm.type()->lookup("__aexit__");
            if (enter.isNotFound() || exit.isNotFound()) {
                ts.raise(types().TypeError, "'" + typeName(cm) +
                                                "' object does not support the asynchronous context manager protocol");
                goto error;
            }
            PUSH(Value(new BoundMethodObject(cm, exit)));
            Value r = call(ts, enter, {cm});
            if (r.isError())
                goto error;
            PUSH(std::move(r));
            break;
        }
        case Op::WithExitCall: {
            if (in.arg == 0) {
                Value exit = POP();
                Value r = call(ts, exit, {Value::none(), Value::none(), Value::none()});
                if (r.isError())
                    goto error;
                PUSH(std::move(r));
            } else {
                const Value &exc = sp[-1];
                const Value &exit = sp[-3];
                Value r = call(ts, exit, {typeValue(exc.type()), exc, Value::none()});
                if (r.isError())
                    goto error;
                PUSH(std::move(r));
            }
            break;
        }
        case Op::ImportName: {
            samplePc(ip - 1);
            Value m = importName(ts, code.names[in.arg], in.extra != 0);
            if (m.isError())
                goto error;
            PUSH(std::move(m));
            break;
        }
        case Op::ImportFrom: {
            Value v = importFrom(ts, TOP(), code.names[in.arg]);
            if (v.isError())
                goto error;
            PUSH(std::move(v));
            break;
        }
        case Op::ImportStar: {
            Value m = POP();
            if (m.isModule()) {
                for (auto &kv : m.as<ModuleObject>()->dict.as<DictObject>()->items())
                    if (kv.first.isStr() && !kv.first.asString().starts_with("_"))
                        f.globals->setStr(kv.first, kv.second);
            }
            break;
        }
        case Op::BuildClass: {
            std::vector<Value> bases(in.arg);
            for (std::size_t i = in.arg; i-- > 0;)
                bases[i] = POP();
            Value name = POP();
            Value fn = POP();
            Value cls = buildClass(ts, fn, name, std::move(bases));
            if (cls.isError())
                goto error;
            PUSH(std::move(cls));
            break;
        }
        case Op::LoadAssertionError: PUSH(typeValue(types().AssertionError)); break;
        case Op::Count: break;
        }
        continue;
    }
    } catch (const std::bad_alloc &) {
        ts.raise(types().MemoryError, "");
        goto error;
    } catch (const std::exception &e) {
        ts.raise(types().RuntimeError, std::string("internal error: ") + e.what());
        goto error;
    }

error: {
        std::uint32_t errPc = static_cast<std::uint32_t>(ip - base) - 1;
        if (!ts.hasException())
            ts.raise(types().RuntimeError, "error return without exception set");
        if (!skipTb && owner && *owner)
            addTraceback(ts.peekException(), *owner, code.lineAt(errPc));
        skipTb = false;
        if (f.nblocks > 0) {
            Block b = f.blocks[--f.nblocks];
            Value *target = f.stack + b.sp;
            while (sp > target)
                (void)POP();
            PUSH(ts.fetchException());
            ip = base + b.handler;
            goto dispatch;
        }
        while (sp > f.stack)
            (void)POP();
        f.sp = sp;
        f.pc = errPc;
        return Value::error();
    }
}

Value runModuleCode(ThreadState &ts, const std::shared_ptr<const Code> &code, const Value &globals)
{
    const Code &c = *code;
    std::size_t n = static_cast<std::size_t>(c.nlocals() + c.ncells() + c.stackSize);
    std::unique_ptr<Value[]> slots(new Value[n]);
    Frame fr;
    fr.code = &c;
    fr.owner = &code;
    fr.globals = globals.as<DictObject>();
    fr.fast = slots.get();
    fr.stack = slots.get() + c.nlocals() + c.ncells();
    fr.sp = fr.stack;
    return runFrame(ts, fr);
}

// Runs a class body with a fresh namespace and builds the class.
Value buildClass(ThreadState &ts, const Value &bodyFunc, const Value &name, std::vector<Value> bases)
{
    auto *f = bodyFunc.as<FunctionObject>();
    const Code &c = *f->code;
    std::size_t n = static_cast<std::size_t>(c.nlocals() + c.ncells() + c.stackSize);
    std::unique_ptr<Value[]> slots(new Value[n]);
    initCells(c, f, slots.get());
    Value ns = makeDict();
    Value mod = f->globals.as<DictObject>()->getStr("__name__");
    ns.as<DictObject>()->setStr("__module__", mod.isNotFound() ? makeStr("__main__") : mod);
    ns.as<DictObject>()->setStr("__qualname__", Value::fromString(c.qualname));
    Frame fr;
    fr.code = &c;
    fr.func = f;
    fr.globals = f->globals.as<DictObject>();
    fr.localsDict = ns;
    fr.fast = slots.get();
    fr.stack = slots.get() + c.nlocals() + c.ncells();
    fr.sp = fr.stack;
    Value r = runFrame(ts, fr);
    if (r.isError())
        return r;
    TypeObject *base = types().object;
    if (bases.size() > 1)
        return ts.raise(types().TypeError, "multiple inheritance is not supported");
    if (bases.size() == 1) {
        if (!bases[0].isType())
            return ts.raise(types().TypeError, "bases must be types");
        base = bases[0].as<TypeObject>();
    }
    ObjKind ik = base->instanceKind;
    bool nativeBase = false;
    for (TypeObject *x = base; x; x = x->base)
        nativeBase = nativeBase || x->allowSubclass;
    if (base != types().object && !base->isUserClass && ik != ObjKind::Exception && ik != ObjKind::Instance && !nativeBase)
        return ts.raise(types().TypeError, "subclassing built-in type '" + base->name + "' is not supported");
    auto *t = new TypeObject(name.asString(), base,
                             ik == ObjKind::Exception ? ObjKind::Exception : nativeBase ? ObjKind::Native : ObjKind::Instance);
    Value tv(t);
    t->setType(types().type);
    t->isUserClass = true;
    if (!base->isUserClass && base->refcount() < (1u << 29))
        t->baseRef = typeValue(base);
    else if (base->isUserClass)
        t->baseRef = typeValue(base);
    t->dict = ns;
    Value m = ns.as<DictObject>()->getStr("__module__");
    t->module = m.isStr() ? m.asString() : "__main__";
    return tv;
}

} // namespace loopscope::lang
