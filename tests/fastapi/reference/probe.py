# Records real FastAPI's answers for probe_app.py: run with Debian's /usr/bin/python3.
import http.client, subprocess, sys, time, os, json
port = int(sys.argv[1]) if len(sys.argv) > 1 else 18431
here = os.path.dirname(os.path.abspath(__file__))
srv = subprocess.Popen([sys.executable, "-m", "uvicorn", "probe_app:app", "--port", str(port),
                        "--host", "127.0.0.1"], cwd=here, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
time.sleep(1.5)
cases = [("GET", p) for p in [
    "/items/5", "/items/abc", "/items/5?q=x", "/items/%35", "/items/+5", "/items/5.0", "/items/1_000",
    "/items/-3", "/items/%20%207%20", "/f/1", "/f/1.5", "/f/nope", "/f/1e3", "/f/inf",
    "/b?flag=1", "/b?flag=yes", "/b?flag=ON", "/b?flag=t", "/b?flag=2", "/b?flag=", "/b?flag=%20true",
    "/req", "/req?q=a", "/req?n=x", "/req?q=a&n=1&n=2", "/req?q=a+b&n=3", "/req?q=%C3%BC&n=0",
    "/two?i=a&j=b&k=c", "/two?i=1&j=2", "/two?i=&j=2",
    "/files/a/b/c.txt", "/files/", "/nowhere", "/m", "/nested", "/nan", "/exc", "/exc2", "/boom",
    "/plain", "/html", "/json", "/raw", "/none", "/trail", "/trail/", "/m/", "/qdef", "/qdef?q=x",
    "/seq", "/seq?items=a&items=b&ids=1&ids=2&tags=x", "/seq?ids=1&ids=x&ids=3&ids=y", "/seq?items=&tags=",
    "/seq_req", "/seq_req?ids=4", "/union", "/union?r=3&s=1.5&t=yes", "/union?r=x&t=maybe",
    "/limits/5", "/limits/0", "/limits/11?q=abcd", "/limits/10?q=%C3%BC%C3%BC%C3%BC", "/limits/3?x=0.5",
    "/limits/3?x=2&s=a", "/limits/3?s=ab&x=1.99"]] + [
    ("POST", "/m"), ("DELETE", "/m"), ("PUT", "/items/5"), ("HEAD", "/m"), ("POST", "/nested"),
    ("POST", "/body", '{"a": 1, "b": [true, null]}'), ("POST", "/body", '[1]'),
    ("POST", "/body", '{bad'), ("POST", "/body", None), ("POST", "/body", ''),
    ("POST", "/model", '{"name": "pen", "price": "2.5", "tags": [{"name": "a"}]}'),
    ("POST", "/model", '{"price": -1, "tags": [{"weight": "x"}]}'), ("POST", "/model", '[1, 2]'),
    ("POST", "/model", '{"name": null, "price": 1}'), ("POST", "/model", None),
    ("POST", "/models", '{"item": {"name": "a", "price": 1}, "tag": {"name": "t"}}'),
    ("POST", "/models", '{"item": {"name": "a"}}'), ("GET", "/model"), ("GET", "/rm"), ("GET", "/rml"),
    ("GET", "/rm_bad")]
for c in cases:
    method, path = c[0], c[1]
    body = c[2] if len(c) > 2 else None
    conn = http.client.HTTPConnection("127.0.0.1", port)
    hdrs = {"content-type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=hdrs)
    r = conn.getresponse()
    data = r.read()
    h = [(k, v) for k, v in r.getheaders() if k.lower() not in ("date",)]
    print(json.dumps({"req": [method, path, body], "status": r.status, "headers": h,
                      "body": data.decode("utf-8", "replace")}, ensure_ascii=False))
    conn.close()
srv.terminate()
out, err = srv.communicate()
print("---- stderr ----")
print(err.decode())
