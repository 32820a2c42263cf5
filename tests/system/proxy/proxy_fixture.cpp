#include "tests/system/proxy/proxy_fixture.hpp"

#include <csignal>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/wait.h>

namespace superd::system_test {
namespace {

// The origin. Threads, so a slow answer does not hold the others up.
constexpr const char* origin_script = R"PY(
import http.server, socket, socketserver, sys, threading, time

http_port, garbage_port, silent_port = (int(a) for a in sys.argv[1:4])
BIG = bytes((i * 7) % 251 for i in range(1 << 20))
# For a browser: the script fetches /data.json and writes what it got into the document.
PAGE = b"""<!DOCTYPE html>
<html><head><title>loading</title></head><body><p id="out">script did not run</p>
<script>
document.getElementById("out").textContent = "fetching";
fetch("/data.json").then(r => r.json()).then(d => {
  document.getElementById("out").textContent = "data: " + d.word;
  document.title = "loaded";
}).catch(e => { document.getElementById("out").textContent = "fetch failed: " + e; });
</script></body></html>
"""

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, body, ctype="text/plain", head=False):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def answer(self, head):
        if self.path == "/hello":
            self.send_body(b"hello world\n", head=head)
        elif self.path == "/headers":
            text = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items())
            self.send_body(text.encode(), head=head)
        elif self.path == "/big":
            self.send_body(BIG, "application/octet-stream", head=head)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not head:
                for piece in (b"first ", b"second ", b"third\n"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/page.html":
            self.send_body(PAGE, "text/html", head=head)
        elif self.path == "/data.json":
            self.send_body(b'{"word": "fetched-through-the-proxy"}', "application/json",
                           head=head)
        elif self.path == "/slow":
            time.sleep(30)
            self.send_body(b"late\n", head=head)
        else:
            self.send_error(404)

    def do_GET(self):
        self.answer(False)

    def do_HEAD(self):
        self.answer(True)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_POST(self):
        body = self.read_body()
        self.send_body(body, "application/octet-stream")

    do_PUT = do_POST

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

def raw_server(port, reply):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    held = []
    while True:
        c, _ = s.accept()
        if reply is None:
            held.append(c)  # accepted, never answered
            continue
        try:
            c.recv(65536)
            c.sendall(reply)
        finally:
            c.close()

threading.Thread(target=raw_server, args=(garbage_port, b"this is not HTTP\r\n\r\n"),
                 daemon=True).start()
threading.Thread(target=raw_server, args=(silent_port, None), daemon=True).start()
Server(("127.0.0.1", http_port), Handler).serve_forever()
)PY";

} // namespace

bool Child::start(const std::vector<std::string>& argv, const std::string& log_path) {
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
        int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        _exit(127);
    }
    return true;
}

void Child::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(50ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        ::close(fd);
        if (ok) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

std::string big_body() {
    std::string body(1 << 20, '\0');
    for (std::size_t i = 0; i < body.size(); ++i)
        body[i] = static_cast<char>((i * 7) % 251);
    return body;
}

bool start_origin(Child& origin, const TempDir& dir, int http_port, int garbage_port,
                  int silent_port) {
    write_file(dir.file("origin.py"), origin_script);
    if (!origin.start({"python3", dir.file("origin.py"), std::to_string(http_port),
                       std::to_string(garbage_port), std::to_string(silent_port)},
                      dir.file("origin.log")))
        return false;
    return wait_for_port(http_port) && wait_for_port(garbage_port) && wait_for_port(silent_port);
}

bool file_shows(const std::string& path, const std::string& text,
                std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (read_file(path).find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

std::vector<std::string> clean_env(std::vector<std::string> argv) {
    std::vector<std::string> out = {"env",      "-u", "http_proxy", "-u", "HTTP_PROXY",  "-u",
                                    "no_proxy", "-u", "NO_PROXY",   "-u", "https_proxy", "-u",
                                    "all_proxy"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

std::string proxy_binary() {
    return SUPERD_PROXY_BIN;
}

} // namespace superd::system_test
