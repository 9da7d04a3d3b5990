using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// A local HTTP/1.1 listener that handles a refused write the way Ceph RGW 16 does: a PUT whose key starts with
/// <c>refused</c> is answered 403 AccessDenied WITHOUT reading its body (and without 100 Continue), and the connection
/// stays open; whatever comes next on that connection is parsed as a request, so the body bytes that AWSSDK/.NET still send
/// and the client's next request on that connection are read together as one malformed request, answered 400 BadRequest
/// (and the connection closed). Other PUTs get 100 Continue when they ask, have their body read and get 200; HEAD of a
/// bucket gets 200, or 404 for a bucket named <c>missing</c>. A request with <c>Connection: close</c> has its connection
/// closed after the answer. Counts accepted connections, refused writes and the requests answered 400.
/// </summary>
public sealed class UnreadBodyHttpServer : LocalTcpServer
{
    private static readonly string[] Methods = { "GET", "HEAD", "PUT", "POST", "DELETE" };

    private int _badRequests;
    private int _refused;

    public UnreadBodyHttpServer()
    {
        Start();
    }

    /// <summary>
    /// Requests answered 400 BadRequest because a refused request's unread body came before them on their connection (or
    /// their first line was garbage): each one is a request that a client sent on a connection it should have given up.
    /// </summary>
    public int BadRequests => Volatile.Read(ref _badRequests);

    /// <summary>PUTs answered 403 with their body left unread.</summary>
    public int RefusedWrites => Volatile.Read(ref _refused);

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                client.NoDelay = true;
                NetworkStream stream = client.GetStream();
                bool refused = false;   // the last request was refused with its body unread
                bool unread = false;    // and those body bytes have arrived: they are the start of the next "request"
                while (!Stopping.IsCancellationRequested)
                {
                    string? head = await ReadHeadAsync(stream);
                    if (head == null)
                    {
                        return;
                    }


                    string[] lines = head.Split("\r\n");
                    string[] requestLine = lines[0].Split(' ');
                    bool valid = requestLine.Length == 3 && Methods.Contains(requestLine[0]) && requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal);
                    if (!valid && refused)
                    {
                        // The refused request's body: RGW reads it as the start of the next request, and waits for the rest.
                        unread = true;
                        continue;
                    }

                    if (!valid || unread)
                    {
                        // Garbage, or a request behind a refused body's bytes: one malformed request to RGW.
                        Interlocked.Increment(ref _badRequests);
                        await AnswerAsync(stream, 400, "Bad Request", Error("BadRequest"), close: true);
                        return;
                    }

                    refused = false;
                    var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                        .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                    bool close = headers.TryGetValue("Connection", out string? connection) && connection.Equals("close", StringComparison.OrdinalIgnoreCase);
                    bool expectContinue = headers.TryGetValue("Expect", out string? expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase);
                    long length = headers.TryGetValue("Content-Length", out string? cl) ? long.Parse(cl) : 0;
                    if (headers.ContainsKey("Transfer-Encoding"))
                    {
                        await AnswerAsync(stream, 501, "Not Implemented", Error("ChunkedNotSupportedByThisListener"), close: true);
                        return;
                    }

                    string method = requestLine[0];
                    string path = requestLine[1].Split('?')[0];
                    string[] segments = path.Trim('/').Split('/');
                    if (method == "PUT" && length > 0 && segments.Length > 1 && segments[1].StartsWith("refused", StringComparison.Ordinal))
                    {
                        // RGW: refused before the body is read (no 100 Continue); the connection stays open.
                        Interlocked.Increment(ref _refused);
                        refused = true;
                        await AnswerAsync(stream, 403, "Forbidden", Error("AccessDenied"), close);
                    }
                    else
                    {
                        if (expectContinue && length > 0)
                        {
                            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n"));
                        }

                        await SkipAsync(stream, length);
                        if (method == "HEAD")
                        {
                            bool missing = segments[0] == "missing";
                            await AnswerAsync(stream, missing ? 404 : 200, missing ? "Not Found" : "OK", null, close);
                        }
                        else if (method == "PUT")
                        {
                            await AnswerAsync(stream, 200, "OK", "", close, "ETag: \"0cc175b9c0f1b6a831c399e269772661\"\r\n");
                        }
                        else
                        {
                            await AnswerAsync(stream, 405, "Method Not Allowed", Error("MethodNotAllowed"), close);
                        }
                    }

                    if (close)
                    {
                        return;
                    }
                }
            }
            catch (Exception)
            {
                // the client went away or the server stopped
            }
        }
    }

    private static string Error(string code) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><RequestId>tx-local</RequestId></Error>";

    /// <summary>Sends an answer; a null body means HEAD (Content-Length 0, nothing after the head).</summary>
    private static async Task AnswerAsync(NetworkStream stream, int status, string reason, string? body, bool close, string extraHeaders = "")
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body ?? "");
        string head = "HTTP/1.1 " + status + " " + reason + "\r\nx-amz-request-id: tx-local\r\nContent-Type: application/xml\r\nContent-Length: "
            + bytes.Length + "\r\n" + extraHeaders + (close ? "Connection: close\r\n" : "") + "\r\n";
        byte[] all = Encoding.ASCII.GetBytes(head).Concat(bytes).ToArray();
        await stream.WriteAsync(all);
        await stream.FlushAsync();
    }

    private static async Task SkipAsync(NetworkStream stream, long length)
    {
        var buffer = new byte[8192];
        while (length > 0)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)));
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            length -= read;
        }
    }

    /// <summary>Reads up to the empty line that ends a request head; null when the connection ends first.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            int read = await stream.ReadAsync(one);
            if (read == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            int n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
            {
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, n - 4);
            }

            if (n > 65536)
            {
                return Encoding.ASCII.GetString(buffer.ToArray());
            }
        }
    }
}
