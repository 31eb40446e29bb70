#!/usr/bin/python3
"""Calls of the Kubernetes CRI (runtime.v1) against containerd, for the engine suites.

    cri_client.py --sock SOCKET --cache FILE [--containerd BINARY] METHOD [REQUEST]
    cri_client.py --sock SOCKET --cache FILE [--containerd BINARY] --serve

METHOD is a method of runtime.v1.RuntimeService or runtime.v1.ImageService
(Version, RunPodSandbox, ListImages...). REQUEST is the request message as
JSON in protobuf's JSON mapping ('-': read it from stdin; default {}). The
response is printed the same way, fields with default values included
(exitCode 0, state CONTAINER_CREATED). A gRPC error exits 1 with its status
on stderr.

Debian has no crictl and ships no CRI schema, so the schema is the one the
server itself was built with: containerd's Go protobuf code registers every
.proto file it compiled as a gzipped FileDescriptorProto, and the one of
package runtime.v1 is found among the gzip streams of the containerd binary.
It is kept in FILE (with the binary's size and mtime) for the next call.
Needs python3-grpcio and python3-protobuf.

With --serve it makes one call per line of stdin, {"method": M, "request":
{...}}, and answers each on one line of stdout, "ok " and the response as
JSON, or "error " and the gRPC status, until stdin ends: one start of python
and grpc for many calls (seconds each under emulation).
"""

import argparse
import json
import os
import shutil
import sys
import zlib

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

PACKAGE = "runtime.v1"
GZIP_MAGIC = b"\x1f\x8b\x08"
# a registered descriptor is far smaller than this; enough input for its whole gzip stream
MAX_COMPRESSED = 1 << 20


def schema_from_binary(binary):
    """The FileDescriptorProto of package PACKAGE, serialized, out of binary's gzip streams."""
    with open(binary, "rb") as f:
        data = f.read()
    at = data.find(GZIP_MAGIC)
    while at >= 0:
        raw = gunzip(data[at:at + MAX_COMPRESSED])
        if raw is not None:
            file = descriptor_pb2.FileDescriptorProto()
            try:
                file.ParseFromString(raw)
            except Exception:  # not a descriptor: some other gzip stream
                file = None
            if file is not None and file.package == PACKAGE and any(s.name == "RuntimeService" for s in file.service):
                return raw
        at = data.find(GZIP_MAGIC, at + 1)
    sys.exit("cri_client: no %s schema in %s" % (PACKAGE, binary))


def gunzip(chunk):
    """The content of the gzip stream chunk starts with, if it looks like a .proto descriptor; else None."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = d.decompress(chunk[:512], 256)
        # a FileDescriptorProto starts with field 1, its name: "...something.proto"
        if not head.startswith(b"\n") or b".proto" not in head[:200]:
            return None
        rest = d.decompress(d.unconsumed_tail + chunk[512:])
    except zlib.error:
        return None
    return head + rest if d.eof else None


def cached_schema(binary, cache):
    st = os.stat(binary)
    key = ("%s %d %d\n" % (os.path.realpath(binary), st.st_size, st.st_mtime_ns)).encode()
    try:
        with open(cache, "rb") as f:
            content = f.read()
        if content.startswith(key):
            return content[len(key):]
    except FileNotFoundError:
        pass
    raw = schema_from_binary(binary)
    os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
    tmp = cache + ".tmp"
    with open(tmp, "wb") as f:
        f.write(key + raw)
    os.replace(tmp, cache)
    return raw


def build_pool(raw):
    """A pool with the schema; of its imports only protobuf's own are needed (gogo's add options only)."""
    file = descriptor_pb2.FileDescriptorProto()
    file.ParseFromString(raw)
    pool = descriptor_pool.DescriptorPool()
    keep = []
    for dep in file.dependency:
        try:
            known = descriptor_pool.Default().FindFileByName(dep)
        except KeyError:
            continue
        proto = descriptor_pb2.FileDescriptorProto()
        known.CopyToProto(proto)
        pool.Add(proto)
        keep.append(dep)
    del file.dependency[:]
    del file.public_dependency[:]
    del file.weak_dependency[:]
    file.dependency.extend(keep)
    pool.Add(file)
    return pool, pool.FindFileByName(file.name)


def message_class(descriptor):
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def to_json(message):
    try:
        return json_format.MessageToJson(message, including_default_value_fields=True)
    except TypeError:  # protobuf 4.26 renamed it
        return json_format.MessageToJson(message, always_print_fields_with_no_presence=True)


def call(channel, file, name, request_json, timeout):
    """One call: the response message, or raises LookupError (no such method) or grpc.RpcError."""
    found = [(s, s.methods_by_name[name]) for s in file.services_by_name.values() if name in s.methods_by_name]
    if not found:
        raise LookupError("no method %s in %s" % (name, ", ".join(file.services_by_name)))
    service, method = found[0]
    request_class = message_class(method.input_type)
    response_class = message_class(method.output_type)
    request = json_format.Parse(request_json or "{}", request_class())
    stub = channel.unary_unary("/%s/%s" % (service.full_name, method.name),
                               request_serializer=request_class.SerializeToString,
                               response_deserializer=response_class.FromString)
    return stub(request, timeout=timeout)


def serve(channel, file, timeout):
    for line in sys.stdin:
        if not line.strip():
            continue
        ask = json.loads(line)
        try:
            response = call(channel, file, ask["method"], json.dumps(ask.get("request", {})), timeout)
            answer = "ok " + json.dumps(json.loads(to_json(response)))
        except grpc.RpcError as e:
            answer = "error %s: %s: %s" % (ask["method"], e.code().name, e.details())
        except (LookupError, json_format.ParseError) as e:
            answer = "error %s: %s" % (ask["method"], e)
        sys.stdout.write(answer.replace("\n", " ") + "\n")
        sys.stdout.flush()
    return 0


def main():
    parser = argparse.ArgumentParser(description="CRI runtime.v1 calls; JSON in, JSON out.")
    parser.add_argument("--sock", required=True, help="containerd's gRPC socket")
    parser.add_argument("--cache", required=True, help="where the schema found in containerd is kept")
    parser.add_argument("--containerd", default=shutil.which("containerd"), help="the containerd binary serving it")
    parser.add_argument("--timeout", type=float, default=60, help="seconds for a call")
    parser.add_argument("--serve", action="store_true", help="a call per line of stdin, an answer per line of stdout")
    parser.add_argument("method", nargs="?")
    parser.add_argument("request", nargs="?", default="{}")
    args = parser.parse_args()
    if not args.containerd:
        sys.exit("cri_client: no containerd binary")
    if not args.serve and not args.method:
        sys.exit("cri_client: a METHOD, or --serve")

    pool, file = build_pool(cached_schema(args.containerd, args.cache))
    with grpc.insecure_channel("unix:" + os.path.abspath(args.sock)) as channel:
        if args.serve:
            return serve(channel, file, args.timeout)
        text = sys.stdin.read() if args.request == "-" else args.request
        try:
            response = call(channel, file, args.method, text, args.timeout)
        except LookupError as e:
            sys.exit("cri_client: %s" % e)
        except grpc.RpcError as e:
            sys.stderr.write("cri_client: %s: %s: %s\n" % (args.method, e.code().name, e.details()))
            return 1
    print(to_json(response))
    return 0


if __name__ == "__main__":
    sys.exit(main())
