// Code: one compiled function/module/class body. Immutable after compilation and shared
// by every thread that runs it; per-call state lives in frames.
#pragma once

#include "value.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loopscope::lang {

enum class Op : std::uint8_t {
    Nop,
    LoadConst,      // arg: const index
    LoadFast,       // arg: local slot
    StoreFast,
    DeleteFast,
    LoadDeref,      // arg: cell index (cellvars then freevars)
    StoreDeref,
    DeleteDeref,
    LoadClosure,    // push the cell object itself
    LoadGlobal,     // arg: name index (globals, then builtins)
    StoreGlobal,
    DeleteGlobal,
    LoadName,       // class bodies: locals dict, globals, builtins
    StoreName,
    DeleteName,
    LoadLocals,     // class bodies: push the namespace dict
    LoadAttr,       // arg: name index
    StoreAttr,      // stack: value obj
    DeleteAttr,
    LoadMethod,     // arg: name; obj -> callable self-or-notFound
    CallMethod,     // arg: argc
    BinarySubscr,
    StoreSubscr,    // stack: value obj key
    DeleteSubscr,
    Pop,
    Dup,
    Dup2,
    Rot2,
    Rot3,
    Rot4,
    Binary,         // arg: ast::Operator
    InplaceBinary,  // arg: ast::Operator
    Unary,          // arg: ast::UnaryOperator
    Compare,        // arg: ast::CmpOperator
    Jump,           // arg: target
    PopJumpIfFalse,
    PopJumpIfTrue,
    JumpIfFalseOrPop,
    JumpIfTrueOrPop,
    GetIter,
    ForIter,        // arg: exit target; pushes next, or pops the iterator and jumps
    Call,           // arg: argc
    CallKw,         // arg: argc incl. keyword values; TOS: tuple of keyword names
    CallEx,         // arg: 1 if a kwargs dict is present; stack: func args-tuple [kwargs]
    MakeFunction,   // arg: child index; extra: 1 defaults, 2 kwdefaults, 4 annotations, 8 closure
    BuildList,
    BuildTuple,
    BuildSet,
    BuildMap,       // arg: pairs
    BuildSlice,     // arg: 2 or 3
    BuildString,    // arg: count (f-strings)
    FormatValue,    // arg: conversion | (hasSpec << 8)
    ListAppend,     // arg: depth of the list below the value
    SetAdd,
    MapAdd,
    ListExtend,
    ListToTuple,
    DictUpdate,
    DictMerge,
    UnpackSequence, // arg: count
    UnpackEx,       // arg: before | (after << 8)
    Return,
    Yield,
    YieldFrom,      // stack: iterator value-to-send -> result
    GetAwaitable,
    GetYieldFromIter,
    GetAIter,
    GetANext,
    EndAsyncFor,    // stack: aiter exc
    SetupExcept,    // arg: handler target
    SetupCleanup,   // arg: handler target
    PopBlock,
    PushExcInfo,    // exc -> prev exc
    PopExcept,      // prev -> (restores the handled exception)
    CheckExcMatch,  // exc type -> exc bool
    Reraise,        // exc -> re-raised, traceback kept
    RaiseCleanup,   // prev exc -> restores prev, re-raises exc
    Raise,          // arg: 0 re-raise, 1 exc, 2 exc+cause
    SetupWith,      // arg: handler; cm -> exit enter-result
    BeforeAsyncWith,// cm -> aexit awaitable(aenter)
    WithExitCall,   // arg 0: exit -> exit(None,None,None); arg 1: exit prev exc -> ... result
    ImportName,     // arg: name index; extra 1: push the leaf module
    ImportFrom,     // arg: name index; module -> module attr
    ImportStar,
    BuildClass,     // arg: nbases; stack: func name bases... -> class
    LoadAssertionError,
    Count
};

struct Instr {
    Op op;
    std::uint8_t pad = 0;
    std::uint16_t extra = 0; // per-site hints
    std::uint32_t arg = 0;
};

class Code {
public:
    enum Flags : std::uint32_t {
        IsModule = 1, IsClassBody = 2, IsGenerator = 4, IsCoroutine = 8, IsAsyncGenerator = 16,
        HasVarArgs = 32, HasVarKeywords = 64, IsLambda = 128, IsComprehension = 256,
    };

    std::string name;      // "<module>", "ping", "<lambda>", "<listcomp>"
    std::string qualname;
    std::string filename;
    int firstLine = 1;
    std::uint32_t flags = 0;

    std::vector<Instr> code;
    std::vector<int> lines;           // per instruction
    std::vector<Value> consts;        // immortal-ish: owned by this Code
    std::vector<Value> names;         // str values for global/attr/import names
    std::vector<std::shared_ptr<const Code>> children;

    // Parameters: posonly, then positional-or-keyword, then keyword-only, then *args, **kwargs.
    int posOnlyCount = 0;
    int argCount = 0;        // positional params incl. posonly
    int kwOnlyCount = 0;
    std::vector<std::string> varnames; // locals; params first
    std::vector<std::string> cellvars; // locals captured by inner functions
    std::vector<std::string> freevars; // captured from outer functions
    std::vector<int> cellParamSlot;    // per cellvar: the param slot to copy, or -1
    int stackSize = 0;

    // Per-LoadGlobal site cache: entry index into the globals dict, verified on use.
    mutable std::unique_ptr<std::atomic<std::uint32_t>[]> globalCache;

    int lineAt(std::size_t pc) const { return pc < lines.size() ? lines[pc] : firstLine; }
    bool isGenerator() const { return flags & IsGenerator; }
    bool isCoroutine() const { return flags & IsCoroutine; }
    bool isAsyncGenerator() const { return flags & IsAsyncGenerator; }
    int nlocals() const { return static_cast<int>(varnames.size()); }
    int ncells() const { return static_cast<int>(cellvars.size() + freevars.size()); }
};

} // namespace loopscope::lang
