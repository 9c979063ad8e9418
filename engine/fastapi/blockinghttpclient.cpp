#include "blockinghttpclient.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::fastapi {

namespace {

using Clock = std::chrono::steady_clock;

int remainingMs(Clock::time_point deadline, bool unlimited)
{
    if (unlimited)
        return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

} // namespace

BlockingHttpClient::Result BlockingHttpClient::fetch(const HttpClientTarget &target, const std::string &requestText,
                                                     double timeoutSeconds)
{
    Result result;
    const bool unlimited = timeoutSeconds <= 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(timeoutSeconds * 1000));

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *addrs = nullptr;
    const std::string port = std::to_string(target.port);
    if (int rc = getaddrinfo(target.host.c_str(), port.c_str(), &hints, &addrs); rc != 0) {
        result.failure = Failure::Connect;
        result.error = std::string("Failed to resolve '") + target.host + "' (" + gai_strerror(rc) + ")";
        return result;
    }
    int fd = -1;
    int lastErrno = 0;
    for (addrinfo *a = addrs; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            lastErrno = errno;
            continue;
        }
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        if (errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            const int n = ::poll(&p, 1, remainingMs(deadline, unlimited));
            int soErr = 0;
            socklen_t len = sizeof soErr;
            if (n > 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len) == 0 && soErr == 0)
                break;
            lastErrno = n == 0 ? ETIMEDOUT : (soErr ? soErr : errno);
        } else {
            lastErrno = errno;
        }
        ::close(fd);
        fd = -1;
    }
    freeaddrinfo(addrs);
    if (fd < 0) {
        result.failure = lastErrno == ETIMEDOUT ? Failure::Timeout : Failure::Connect;
        result.error = std::string("[Errno ") + std::to_string(lastErrno) + "] " + std::strerror(lastErrno);
        return result;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    std::size_t sent = 0;
    while (sent < requestText.size()) {
        const ssize_t n = ::send(fd, requestText.data() + sent, requestText.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, remainingMs(deadline, unlimited)) <= 0) {
                ::close(fd);
                result.failure = Failure::Timeout;
                result.error = "write timed out";
                return result;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        const int e = errno;
        ::close(fd);
        result.failure = Failure::Connect;
        result.error = std::string("Connection aborted: ") + std::strerror(e);
        return result;
    }

    std::string raw;
    char buf[16384];
    bool eof = false;
    while (true) {
        const auto state = HttpClientResponse::parse(raw, eof, result.response);
        if (state == HttpClientResponse::Parse::Complete)
            break;
        if (state == HttpClientResponse::Parse::Invalid) {
            ::close(fd);
            result.failure = Failure::Protocol;
            result.error = raw.empty() ? "Remote end closed connection without response" : "invalid HTTP response";
            return result;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            raw.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            eof = true;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd p{fd, POLLIN, 0};
            const int r = ::poll(&p, 1, remainingMs(deadline, unlimited));
            if (r == 0) {
                ::close(fd);
                result.failure = Failure::Timeout;
                result.error = "Read timed out.";
                return result;
            }
            continue;
        }
        const int e = errno;
        ::close(fd);
        result.failure = Failure::Connect;
        result.error = std::string("Connection aborted: ") + std::strerror(e);
        return result;
    }
    ::close(fd);
    return result;
}

} // namespace loopscope::fastapi
