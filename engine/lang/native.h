// The C++ side of the language: calling Python values, defining native functions,
// native types and modules, driving coroutines/generators, and the common operations
// (attributes, str/repr, truth, equality, iteration) with CPython's error messages.
#pragma once

#include "objects.h"
#include "value.h"

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loopscope::lang {

class ThreadState;
class Interpreter;

struct KeywordArg {
    std::string_view name; // valid for the duration of the call
    Value value;
};

// The arguments a native function receives. For methods, positional[0] is self.
struct CallArgs {
    std::span<const Value> positional;
    std::span<const KeywordArg> keywords;

    std::size_t size() const { return positional.size(); }
    const Value &operator[](std::size_t i) const { return positional[i]; }
    // Keyword value or notFound().
    Value keyword(std::string_view name) const;
    // Positional i, else keyword `name`, else notFound().
    Value arg(std::size_t i, std::string_view name) const;
    // CPython's messages: "f() takes exactly one argument (2 given)", "f() takes at most
    // 2 arguments (3 given)", "f() takes no keyword arguments". false with exception set.
    bool checkCount(ThreadState &ts, std::string_view fname, std::size_t min, std::size_t max) const;
    bool noKeywords(ThreadState &ts, std::string_view fname) const;
    // Rejects keywords not in `allowed`: "f() got an unexpected keyword argument 'x'".
    bool onlyKeywords(ThreadState &ts, std::string_view fname, std::initializer_list<std::string_view> allowed) const;
    // Binds arguments like the Python signature `def fname(n0, n1, ..., n_last=...)`: the
    // first `required` names are required, the rest optional; each may come by position or
    // by keyword. out[i] gets the value or notFound(). `skip` leading positionals (self) are
    // ignored. false with CPython's TypeError on missing, extra or unexpected arguments.
    bool parse(ThreadState &ts, std::string_view fname, std::initializer_list<std::string_view> names,
               std::size_t required, Value *out, std::size_t skip = 0) const;
};

// --- calling ---
Value call(ThreadState &ts, const Value &callable, std::span<const Value> args,
           std::span<const KeywordArg> kwargs = {});
Value call(ThreadState &ts, const Value &callable, std::initializer_list<Value> args);
// Calls obj.name(args...).
Value callMethod(ThreadState &ts, const Value &obj, std::string_view name, std::span<const Value> args,
                 std::span<const KeywordArg> kwargs = {});
bool isCallable(const Value &v);

// --- natives ---
// `qualName` is what the sampler reports while it runs ("time.sleep").
Value makeNativeFunction(std::string name, NativeFn fn, std::string qualName = {});
struct NativeTypeSpec {
    std::string name;
    std::string module = "builtins";
    Value base = Value::none();                        // a TypeObject or None (object)
    std::vector<std::pair<std::string, NativeFn>> methods; // fn gets self as args[0]
    std::vector<std::pair<std::string, Value>> attributes;  // class attributes
    NativeFn construct;                                // Type(...); null = not callable
    NativeTypeHooks hooks;
    // User classes may derive from this type (class Item(BaseModel): ...). Their instances
    // are plain NativeObjects of the subclass (state in `attrs`), built by calling the
    // `__init__` method found on the class chain (give the native type one in `methods`);
    // the native's methods must not assume a C++ subclass of NativeObject for them.
    bool allowSubclass = false;
};
// Returns the type object. Instances: subclass NativeObject and wrap `new T(type)`.
Value makeNativeType(NativeTypeSpec spec);
// list[int] / typing.List[int]: an alias that remembers its element type (FastAPI reads a
// `List[int] = Query(...)` parameter as a repeated query key of ints). `typingForm` picks
// the repr: "typing.List[int]" or "list[int]". Other subscripted generics stay their origin.
Value makeGenericAlias(const Value &origin, const Value &args, bool typingForm);
// The alias's origin and argument tuple; false for anything else.
bool genericAlias(const Value &v, Value *origin, Value *args);

// `int | None`: types.UnionType over `args` (flattened, duplicates dropped); isinstance()
// accepts it. unionArgs() gives its members (None stands for NoneType); false otherwise.
Value makeUnionType(std::vector<Value> args);
bool unionArgs(const Value &v, std::vector<Value> *args);

// A module object with the given attributes.
Value makeModule(std::string name, std::vector<std::pair<std::string, Value>> attrs = {});
void moduleSet(const Value &module, std::string_view name, Value v);

// --- coroutines, generators, async generators, native awaitables ---
struct ResumeResult {
    enum Kind { Yielded, Returned, Raised };
    Kind kind = Returned;
    Value value; // yielded or returned value; None when Raised (exception is in ts)
};
// send(value) / next() (send None) / throw(exc) / close(). Works on coroutines,
// generators, async-generator steps (asend/athrow awaitables) and native iterators
// with a `resume` hook. A suspended frame may be resumed on another thread.
ResumeResult resume(ThreadState &ts, const Value &gen, const Value &send);
ResumeResult throwInto(ThreadState &ts, const Value &gen, const Value &exc);
ResumeResult close(ThreadState &ts, const Value &gen);
// The iterator `await x` uses: a coroutine itself, or x.__await__() (TypeError
// "object X can't be used in 'await' expression" otherwise).
Value getAwaitable(ThreadState &ts, const Value &x);
bool isCoroutine(const Value &v);
bool isAsyncGenerator(const Value &v);
bool isGeneratorObject(const Value &v);
// "coroutine 'ping' was never awaited" style name.
std::string generatorName(const Value &gen);

// --- exceptions ---
// The full CPython-style traceback text, ending with a newline.
std::string formatException(ThreadState &ts, const Value &exc);
// "ValueError: boom", "KeyError: 'x'", "ZeroDivisionError: division by zero".
std::string exceptionSummary(ThreadState &ts, const Value &exc);
Value makeException(TypeObject *type, std::string message);
// What CPython does with an exception that reached the top of a script: SystemExit(n)
// gives exit code n (None: 0; other objects are printed to stderr, exit code 1); any
// other exception prints the traceback to stderr (stdout is flushed first) and gives 1.
// Output goes through Interpreter::write.
int reportUncaught(ThreadState &ts, const Value &exc);
Value exceptionArgs(const Value &exc);
bool isInstance(const Value &v, const TypeObject *type);

// --- common operations (error() + exception on failure) ---
Value getAttr(ThreadState &ts, const Value &obj, std::string_view name);
// notFound() without an exception if absent (hasattr, getattr with default).
Value getAttrOpt(ThreadState &ts, const Value &obj, std::string_view name);
bool setAttr(ThreadState &ts, const Value &obj, std::string_view name, const Value &v);
Value getItem(ThreadState &ts, const Value &obj, const Value &key);
bool setItem(ThreadState &ts, const Value &obj, const Value &key, const Value &v);
std::string repr(ThreadState &ts, const Value &v, bool *ok = nullptr);
std::string str(ThreadState &ts, const Value &v, bool *ok = nullptr);
Value reprValue(ThreadState &ts, const Value &v);
Value strValue(ThreadState &ts, const Value &v);
int truthy(ThreadState &ts, const Value &v); // 1, 0, or -1 on error
int equals(ThreadState &ts, const Value &a, const Value &b); // 1, 0, -1 on error
bool hashValue(ThreadState &ts, const Value &v, std::size_t &out);
Value getIter(ThreadState &ts, const Value &iterable);
// Next item, notFound() when exhausted, error() on exception.
Value iterNext(ThreadState &ts, const Value &iterator);
// Collects an iterable into a vector; false with exception set.
bool collect(ThreadState &ts, const Value &iterable, std::vector<Value> &out);
std::string typeName(const Value &v);
// Plain-data dict helpers.
void dictSet(const Value &dict, std::string_view key, Value v);
Value dictGet(const Value &dict, std::string_view key); // notFound() if absent
Value listAppend(const Value &list, Value v);

// Copies plain data (None/bool/int/float/str/bytes/list/tuple/dict) and module-level
// functions (looked up by name in `to`'s module of the same name) to another interpreter.
Value copyToInterpreter(ThreadState &fromTs, const Value &v, ThreadState &toTs);

// Function introspection for the fastapi layer (unwraps functools.partial/wraps: no).
struct FunctionInfo {
    std::string name, qualname, filename, module;
    int firstLine = 0;
    bool isAsync = false, isGenerator = false;
    std::vector<ParamInfo> params;
    bool hasReturnAnnotation = false;
    Value returnAnnotation;
};
// false if v is not a Python function (natives, classes...).
bool functionInfo(const Value &v, FunctionInfo &out);

// --- built-in types and exception classes (process-wide, immortal) ---
struct CoreTypes {
    TypeObject *object, *type, *int_, *bool_, *float_, *str, *bytes, *none, *list, *tuple,
        *dict, *set, *range, *slice, *function, *builtinFunction, *method, *cell, *code,
        *module, *generator, *coroutine, *asyncGenerator, *iterator, *property,
        *staticmethod, *classmethod, *notImplementedType, *ellipsisType;
    TypeObject *BaseException, *Exception, *SystemExit, *KeyboardInterrupt, *GeneratorExit,
        *ArithmeticError, *ZeroDivisionError, *OverflowError, *LookupError, *KeyError,
        *IndexError, *ValueError, *TypeError, *NameError, *UnboundLocalError, *AttributeError,
        *RuntimeError, *RecursionError, *NotImplementedError, *StopIteration,
        *StopAsyncIteration, *OSError, *TimeoutError, *ConnectionError, *FileNotFoundError,
        *AssertionError, *ImportError, *ModuleNotFoundError, *UnicodeError, *UnicodeDecodeError,
        *SyntaxError, *IndentationError, *Warning, *DeprecationWarning, *UserWarning,
        *RuntimeWarning, *BufferError, *EOFError, *MemoryError, *PermissionError,
        *InterruptedError, *BlockingIOError, *ConnectionResetError, *BrokenPipeError,
        *ProcessLookupError, *ChildProcessError, *IsADirectoryError, *NotADirectoryError;
    std::vector<TypeObject *> allExceptions;
};
const CoreTypes &types();
Value typeValue(TypeObject *t); // a Value holding the type

} // namespace loopscope::lang
