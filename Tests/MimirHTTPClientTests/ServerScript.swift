/// The test HTTP server: Python 3 `http.server` on a free loopback port, written to a temporary
/// directory at run time (so the package declares no resources). It prints its port, then serves
/// until its standard input closes, which happens when the test process ends, however it ends.
enum ServerScript {
    static let source = #"""
        # Endpoints (any method): /echo (method, path, headers, body as hex, connection number,
        # client port as JSON), /mirror (the request body back), /status/N, /slow?seconds=S,
        # /big?bytes=N[&chunked=1], /redirect?to=URL&code=C, /loop (redirects to itself),
        # /close (answers with Connection: close), /connections (accepted so far), /headers.
        # Arguments: [--tls CERT KEY [--client-ca CA] [--tls12]].
        import http.server, json, os, ssl, sys, threading, time
        from urllib.parse import urlsplit, parse_qs

        connections = 0
        lock = threading.Lock()


        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: without this, Nagle's algorithm and the
            # client's delayed ACK hold the body back 40 ms on a kept-alive connection.
            disable_nagle_algorithm = True

            def setup(self):
                global connections
                if self.server.tls_context is not None:
                    self.request.do_handshake()
                with lock:
                    connections += 1
                    self.connection_id = connections
                super().setup()

            def log_message(self, *args):
                pass

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip().split(b";")[0], 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def reply(self, status, body=b"", content_type="text/plain", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if status not in (204, 304):
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and status not in (204, 304):
                    self.wfile.write(body)

            def handle_any(self):
                url = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(url.query).items()}
                body = self.read_body()
                parts = url.path.strip("/").split("/")
                route = parts[0]
                if route == "echo":
                    document = {
                        "method": self.command,
                        "path": self.path,
                        "headers": [[name, value] for name, value in self.headers.items()],
                        "body_hex": body.hex(),
                        "connection": self.connection_id,
                        "client_port": self.client_address[1],
                    }
                    self.reply(200, json.dumps(document).encode(), "application/json")
                elif route == "mirror":
                    self.reply(200, body, "application/octet-stream")
                elif route == "status":
                    self.reply(int(parts[1]), ("status " + parts[1]).encode())
                elif route == "slow":
                    time.sleep(float(query.get("seconds", "2")))
                    self.reply(200, b"slow")
                elif route == "big":
                    size = int(query.get("bytes", "1024"))
                    if query.get("chunked") == "1":
                        self.send_response(200)
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        block = b"x" * 65536
                        left = size
                        while left > 0:
                            piece = block[: min(left, len(block))]
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                            left -= len(piece)
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self.reply(200, b"x" * size, "application/octet-stream")
                elif route == "redirect":
                    code = int(query.get("code", "302"))
                    self.reply(code, b"moved", headers=[("Location", query.get("to", "/echo"))])
                elif route == "loop":
                    self.reply(302, b"again", headers=[("Location", "/loop")])
                elif route == "close":
                    self.reply(200, b"closing", headers=[("Connection", "close")])
                    self.close_connection = True
                elif route == "connections":
                    self.reply(200, json.dumps({"connections": connections}).encode(), "application/json")
                elif route == "headers":
                    self.reply(200, b"{}", "application/json",
                               headers=[("Set-Cookie", "a=1"), ("X-Multi", "first"), ("Set-Cookie", "b=2")])
                else:
                    self.reply(404, b"no route " + url.path.encode())

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024
            tls_context = None

            def get_request(self):
                sock, address = super().get_request()
                if self.tls_context is not None:
                    sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                return sock, address

            def handle_error(self, request, client_address):
                pass


        def main():
            server = Server(("127.0.0.1", 0), Handler)
            arguments = sys.argv[1:]
            if "--tls" in arguments:
                at = arguments.index("--tls")
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(arguments[at + 1], arguments[at + 2])
                if "--client-ca" in arguments:
                    context.verify_mode = ssl.CERT_REQUIRED
                    context.load_verify_locations(arguments[arguments.index("--client-ca") + 1])
                if "--tls12" in arguments:
                    context.maximum_version = ssl.TLSVersion.TLSv1_2
                server.tls_context = context

            def watch_parent():
                sys.stdin.read()
                os._exit(0)

            threading.Thread(target=watch_parent, daemon=True).start()
            print(server.server_address[1], flush=True)
            server.serve_forever()


        main()
        """#
}
