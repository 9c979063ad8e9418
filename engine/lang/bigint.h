// BigInt: arbitrary-precision integers for values beyond the 63-bit inline range.
// Sign-magnitude, 32-bit limbs; Python's floor division and modulo semantics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loopscope::lang {

class BigInt {
public:
    BigInt() = default;
    explicit BigInt(std::int64_t v);
    static std::optional<BigInt> fromString(std::string_view digits, int base = 10);
    static BigInt fromDouble(double d); // d must be finite

    bool isZero() const { return m_mag.empty(); }
    bool isNegative() const { return m_neg; }
    bool fitsInt64() const;
    std::int64_t toInt64() const; // only if fitsInt64()
    double toDouble() const;      // inf when too large
    std::string toString(int base = 10) const;

    static BigInt add(const BigInt &a, const BigInt &b);
    static BigInt sub(const BigInt &a, const BigInt &b);
    static BigInt mul(const BigInt &a, const BigInt &b);
    // Floor division and modulo (Python semantics). b must be non-zero.
    static void divmod(const BigInt &a, const BigInt &b, BigInt &q, BigInt &r);
    static BigInt pow(const BigInt &a, std::uint64_t e);
    BigInt negated() const;
    static int compare(const BigInt &a, const BigInt &b);
    std::size_t hash() const;
    static BigInt shiftLeft(const BigInt &a, std::uint64_t n);
    static BigInt shiftRight(const BigInt &a, std::uint64_t n); // floor
    std::size_t bitLength() const;

private:
    void trim();
    static int cmpMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b);
    static std::vector<std::uint32_t> addMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b);
    static std::vector<std::uint32_t> subMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b);
    static void divModMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b,
                          std::vector<std::uint32_t> &q, std::vector<std::uint32_t> &r);

    bool m_neg = false;
    std::vector<std::uint32_t> m_mag; // little-endian limbs, no leading zeros
};

} // namespace loopscope::lang
