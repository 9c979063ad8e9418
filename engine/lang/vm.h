// Internals of the VM shared by the language's own .cpp files: frames, generator
// objects, the evaluation entry points and the operator implementations.
#pragma once

#include "ast.h"
#include "code.h"
#include "native.h"
#include "objects.h"
#include "threadstate.h"

#include <memory>

namespace loopscope::lang {

class GeneratorObject;

struct Block {
    std::uint32_t handler;
    std::uint32_t sp;
};

struct Frame {
    static constexpr int kMaxBlocks = 32;
    const Code *code = nullptr;
    FunctionObject *func = nullptr;   // null for module bodies
    DictObject *globals = nullptr;
    DictObject *builtins = nullptr;
    Value localsDict;                 // class bodies
    Value *fast = nullptr;            // locals, then cells
    Value *stack = nullptr;
    Value *sp = nullptr;
    std::uint32_t pc = 0;
    int nblocks = 0;
    Block blocks[kMaxBlocks];
    Value handled;                    // exception handled in this frame (None)
    Frame *back = nullptr;
    GeneratorObject *gen = nullptr;
    const std::shared_ptr<const Code> *owner = nullptr; // module bodies
};

class GeneratorObject : public Object {
public:
    enum Kind { Generator, Coroutine, AsyncGenerator };
    enum State { Created, Running, Suspended, Done };
    GeneratorObject(Kind kind, Value func);
    ~GeneratorObject() override;

    Kind genKind;
    std::atomic<int> state{Created};
    Value funcRef;                   // keeps code, globals and closure alive
    std::shared_ptr<const Code> codeRef;
    Value globalsRef;
    std::unique_ptr<Value[]> storage;
    std::size_t storageSize = 0;
    Frame frame;
    bool lastWasAsyncGenYield = false; // the last suspension was an async-gen `yield`
    bool agRunning = false;
    std::string name, qualname;
};

// An awaitable step of an async generator: __anext__()/asend(v)/athrow(e)/aclose().
class AsyncGenStep : public Object {
public:
    AsyncGenStep(Value gen, Value sendValue, Value throwExc, bool isClose);
    Value gen, sendValue, throwExc;
    bool isClose;
    int state = 0; // 0 init, 1 running, 2 done
};

// Calls with keyword values as the last kwnames.size() entries of args.
Value callValue(ThreadState &ts, const Value &callable, const Value *args, std::size_t nargs,
                const TupleObject *kwnames);
Value runFrame(ThreadState &ts, Frame &f);
// Calls a native, converting C++ exceptions into Python exceptions.
Value guardedNativeCall(ThreadState &ts, const NativeFn &fn, const CallArgs &ca);
Value runModuleCode(ThreadState &ts, const std::shared_ptr<const Code> &code, const Value &globals);

Value binaryOp(ThreadState &ts, ast::Operator op, const Value &a, const Value &b, bool inplace);
Value unaryOp(ThreadState &ts, ast::UnaryOperator op, const Value &v);
Value compareOp(ThreadState &ts, ast::CmpOperator op, const Value &a, const Value &b);
// -1 error, else 0/1. Ordering compare: op in Lt/LtE/Gt/GtE.
int richCompareBool(ThreadState &ts, ast::CmpOperator op, const Value &a, const Value &b);
int containsOp(ThreadState &ts, const Value &container, const Value &item);
Value formatWithSpec(ThreadState &ts, const Value &v, std::string_view spec);
Value buildClass(ThreadState &ts, const Value &bodyFunc, const Value &name, std::vector<Value> bases);
Value makeBigIntFromDecimal(const std::string &digits);
Value makeBigInt(std::shared_ptr<const class BigInt> b); // normalises to small ints
Value exceptionFromTypeOrInstance(ThreadState &ts, const Value &v); // error() if neither
void addTraceback(const Value &exc, const std::shared_ptr<const Code> &code, int line);
Value instantiateType(ThreadState &ts, TypeObject *t, const Value *args, std::size_t nargs, const TupleObject *kwnames);
Value stopIterationValue(const Value &exc);
Value sliceIndexes(ThreadState &ts, const SliceObject *s, std::int64_t len, std::int64_t &start, std::int64_t &stop, std::int64_t &step);
std::int64_t strLength(const StrObject *s);
void initBuiltinsDict(DictObject &d); // builtins.cpp
Value importBuiltinModule(ThreadState &ts, std::string_view name); // modules.cpp: notFound() if none
// True (with RecursionError set) when the C++ stack is nearly used up: recursive natives
// (repr, ==, < of deeply nested containers) check it.
bool nativeRecursionExceeded(ThreadState &ts, const char *what);
std::string strRepr(std::string_view s);

} // namespace loopscope::lang
