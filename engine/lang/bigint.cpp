// Arbitrary-precision integers (see bigint.h).
#include "bigint.h"

#include <algorithm>
#include <cmath>

namespace loopscope::lang {

BigInt::BigInt(std::int64_t v)
{
    m_neg = v < 0;
    std::uint64_t u = m_neg ? (~static_cast<std::uint64_t>(v) + 1) : static_cast<std::uint64_t>(v);
    while (u) {
        m_mag.push_back(static_cast<std::uint32_t>(u));
        u >>= 32;
    }
}

void BigInt::trim()
{
    while (!m_mag.empty() && m_mag.back() == 0)
        m_mag.pop_back();
    if (m_mag.empty())
        m_neg = false;
}

static void mulSmallAdd(std::vector<std::uint32_t> &mag, std::uint32_t mul, std::uint32_t add)
{
    std::uint64_t carry = add;
    for (auto &limb : mag) {
        std::uint64_t v = std::uint64_t(limb) * mul + carry;
        limb = static_cast<std::uint32_t>(v);
        carry = v >> 32;
    }
    if (carry)
        mag.push_back(static_cast<std::uint32_t>(carry));
}

static std::uint32_t divSmall(std::vector<std::uint32_t> &mag, std::uint32_t d)
{
    std::uint64_t rem = 0;
    for (std::size_t i = mag.size(); i-- > 0;) {
        std::uint64_t cur = (rem << 32) | mag[i];
        mag[i] = static_cast<std::uint32_t>(cur / d);
        rem = cur % d;
    }
    while (!mag.empty() && mag.back() == 0)
        mag.pop_back();
    return static_cast<std::uint32_t>(rem);
}

std::optional<BigInt> BigInt::fromString(std::string_view s, int base)
{
    BigInt r;
    bool neg = false;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        ++i;
    }
    if (i >= s.size())
        return std::nullopt;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_')
            continue;
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'z')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z')
            d = c - 'A' + 10;
        else
            return std::nullopt;
        if (d >= base)
            return std::nullopt;
        mulSmallAdd(r.m_mag, static_cast<std::uint32_t>(base), static_cast<std::uint32_t>(d));
    }
    r.m_neg = neg;
    r.trim();
    return r;
}

BigInt BigInt::fromDouble(double d)
{
    BigInt r;
    bool neg = d < 0;
    d = std::floor(std::fabs(d) + 0.0);
    if (d < 1)
        return r;
    int exp;
    double m = std::frexp(d, &exp); // d = m * 2^exp, 0.5 <= m < 1
    // take 53 bits of mantissa
    std::uint64_t mant = static_cast<std::uint64_t>(std::ldexp(m, 53));
    BigInt b(static_cast<std::int64_t>(mant));
    if (exp >= 53)
        b = shiftLeft(b, exp - 53);
    else
        b = shiftRight(b, 53 - exp);
    b.m_neg = neg && !b.m_mag.empty();
    return b;
}

bool BigInt::fitsInt64() const
{
    if (m_mag.size() > 2)
        return false;
    std::uint64_t u = 0;
    for (std::size_t i = m_mag.size(); i-- > 0;)
        u = (u << 32) | m_mag[i];
    if (m_neg)
        return u <= (std::uint64_t(1) << 63);
    return u < (std::uint64_t(1) << 63);
}

std::int64_t BigInt::toInt64() const
{
    std::uint64_t u = 0;
    for (std::size_t i = m_mag.size(); i-- > 0;)
        u = (u << 32) | m_mag[i];
    return m_neg ? static_cast<std::int64_t>(~u + 1) : static_cast<std::int64_t>(u);
}

double BigInt::toDouble() const
{
    double r = 0;
    for (std::size_t i = m_mag.size(); i-- > 0;)
        r = r * 4294967296.0 + m_mag[i];
    return m_neg ? -r : r;
}

std::string BigInt::toString(int base) const
{
    if (m_mag.empty())
        return "0";
    std::vector<std::uint32_t> mag = m_mag;
    std::string out;
    if (base == 10) {
        while (!mag.empty()) {
            std::uint32_t chunk = divSmall(mag, 1000000000u);
            for (int k = 0; k < 9; ++k) {
                out.push_back(char('0' + chunk % 10));
                chunk /= 10;
                if (mag.empty() && chunk == 0)
                    break;
            }
        }
    } else {
        static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        while (!mag.empty())
            out.push_back(digits[divSmall(mag, static_cast<std::uint32_t>(base))]);
    }
    while (out.size() > 1 && out.back() == '0')
        out.pop_back();
    if (m_neg)
        out.push_back('-');
    std::reverse(out.begin(), out.end());
    return out;
}

int BigInt::cmpMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b)
{
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    for (std::size_t i = a.size(); i-- > 0;)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

std::vector<std::uint32_t> BigInt::addMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b)
{
    std::vector<std::uint32_t> r(std::max(a.size(), b.size()) + 1, 0);
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        std::uint64_t v = carry;
        if (i < a.size())
            v += a[i];
        if (i < b.size())
            v += b[i];
        r[i] = static_cast<std::uint32_t>(v);
        carry = v >> 32;
    }
    while (!r.empty() && r.back() == 0)
        r.pop_back();
    return r;
}

std::vector<std::uint32_t> BigInt::subMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b)
{
    // requires |a| >= |b|
    std::vector<std::uint32_t> r(a.size(), 0);
    std::int64_t borrow = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::int64_t v = std::int64_t(a[i]) - borrow - (i < b.size() ? std::int64_t(b[i]) : 0);
        borrow = 0;
        if (v < 0) {
            v += std::int64_t(1) << 32;
            borrow = 1;
        }
        r[i] = static_cast<std::uint32_t>(v);
    }
    while (!r.empty() && r.back() == 0)
        r.pop_back();
    return r;
}

BigInt BigInt::add(const BigInt &a, const BigInt &b)
{
    BigInt r;
    if (a.m_neg == b.m_neg) {
        r.m_mag = addMag(a.m_mag, b.m_mag);
        r.m_neg = a.m_neg;
    } else if (cmpMag(a.m_mag, b.m_mag) >= 0) {
        r.m_mag = subMag(a.m_mag, b.m_mag);
        r.m_neg = a.m_neg;
    } else {
        r.m_mag = subMag(b.m_mag, a.m_mag);
        r.m_neg = b.m_neg;
    }
    r.trim();
    return r;
}

BigInt BigInt::negated() const
{
    BigInt r = *this;
    if (!r.m_mag.empty())
        r.m_neg = !r.m_neg;
    return r;
}

BigInt BigInt::sub(const BigInt &a, const BigInt &b) { return add(a, b.negated()); }

BigInt BigInt::mul(const BigInt &a, const BigInt &b)
{
    BigInt r;
    if (a.m_mag.empty() || b.m_mag.empty())
        return r;
    r.m_mag.assign(a.m_mag.size() + b.m_mag.size(), 0);
    for (std::size_t i = 0; i < a.m_mag.size(); ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; j < b.m_mag.size(); ++j) {
            std::uint64_t v = std::uint64_t(a.m_mag[i]) * b.m_mag[j] + r.m_mag[i + j] + carry;
            r.m_mag[i + j] = static_cast<std::uint32_t>(v);
            carry = v >> 32;
        }
        std::size_t k = i + b.m_mag.size();
        while (carry) {
            std::uint64_t v = std::uint64_t(r.m_mag[k]) + carry;
            r.m_mag[k] = static_cast<std::uint32_t>(v);
            carry = v >> 32;
            ++k;
        }
    }
    r.m_neg = a.m_neg != b.m_neg;
    r.trim();
    return r;
}

void BigInt::divModMag(const std::vector<std::uint32_t> &a, const std::vector<std::uint32_t> &b,
                       std::vector<std::uint32_t> &q, std::vector<std::uint32_t> &r)
{
    if (b.size() == 1) {
        q = a;
        std::uint32_t rem = divSmall(q, b[0]);
        r.clear();
        if (rem)
            r.push_back(rem);
        return;
    }
    q.assign(a.size(), 0);
    r.clear();
    for (std::size_t i = a.size() * 32; i-- > 0;) {
        // r = r << 1 | bit
        std::uint32_t carry = (a[i / 32] >> (i % 32)) & 1u;
        for (auto &limb : r) {
            std::uint32_t nc = limb >> 31;
            limb = (limb << 1) | carry;
            carry = nc;
        }
        if (carry)
            r.push_back(carry);
        if (cmpMag(r, b) >= 0) {
            r = subMag(r, b);
            q[i / 32] |= (1u << (i % 32));
        }
    }
    while (!q.empty() && q.back() == 0)
        q.pop_back();
}

void BigInt::divmod(const BigInt &a, const BigInt &b, BigInt &q, BigInt &r)
{
    BigInt qq, rr;
    divModMag(a.m_mag, b.m_mag, qq.m_mag, rr.m_mag);
    qq.m_neg = a.m_neg != b.m_neg;
    rr.m_neg = a.m_neg;
    qq.trim();
    rr.trim();
    // truncated -> floored
    if (!rr.isZero() && (a.m_neg != b.m_neg)) {
        qq = sub(qq, BigInt(1));
        rr = add(rr, b);
    }
    q = std::move(qq);
    r = std::move(rr);
}

BigInt BigInt::pow(const BigInt &a, std::uint64_t e)
{
    BigInt result(1), base = a;
    while (e) {
        if (e & 1)
            result = mul(result, base);
        e >>= 1;
        if (e)
            base = mul(base, base);
    }
    return result;
}

int BigInt::compare(const BigInt &a, const BigInt &b)
{
    if (a.m_neg != b.m_neg)
        return a.m_neg ? -1 : 1;
    int c = cmpMag(a.m_mag, b.m_mag);
    return a.m_neg ? -c : c;
}

std::size_t BigInt::hash() const
{
    // CPython: value mod (2**61 - 1), sign kept.
    const std::uint64_t P = (std::uint64_t(1) << 61) - 1;
    unsigned __int128 acc = 0;
    for (std::size_t i = m_mag.size(); i-- > 0;)
        acc = ((acc << 32) | m_mag[i]) % P;
    std::uint64_t h = static_cast<std::uint64_t>(acc);
    std::int64_t s = m_neg ? -static_cast<std::int64_t>(h) : static_cast<std::int64_t>(h);
    if (s == -1)
        s = -2;
    return static_cast<std::size_t>(s);
}

BigInt BigInt::shiftLeft(const BigInt &a, std::uint64_t n)
{
    BigInt r;
    if (a.isZero())
        return r;
    std::size_t limbs = n / 32, bits = n % 32;
    r.m_mag.assign(limbs, 0);
    std::uint32_t carry = 0;
    for (auto limb : a.m_mag) {
        r.m_mag.push_back(bits ? (limb << bits) | carry : limb);
        carry = bits ? limb >> (32 - bits) : 0;
    }
    if (carry)
        r.m_mag.push_back(carry);
    r.m_neg = a.m_neg;
    r.trim();
    return r;
}

BigInt BigInt::shiftRight(const BigInt &a, std::uint64_t n)
{
    if (a.m_neg) {
        // floor semantics: -((-a - 1) >> n) - 1
        BigInt t = sub(a.negated(), BigInt(1));
        return sub(shiftRight(t, n).negated(), BigInt(1));
    }
    BigInt r;
    std::size_t limbs = n / 32, bits = n % 32;
    if (limbs >= a.m_mag.size())
        return r;
    for (std::size_t i = limbs; i < a.m_mag.size(); ++i) {
        std::uint64_t v = a.m_mag[i] >> bits;
        if (bits && i + 1 < a.m_mag.size())
            v |= std::uint64_t(a.m_mag[i + 1]) << (32 - bits);
        r.m_mag.push_back(static_cast<std::uint32_t>(v));
    }
    r.trim();
    return r;
}

std::size_t BigInt::bitLength() const
{
    if (m_mag.empty())
        return 0;
    std::size_t n = (m_mag.size() - 1) * 32;
    std::uint32_t top = m_mag.back();
    while (top) {
        ++n;
        top >>= 1;
    }
    return n;
}

} // namespace loopscope::lang
