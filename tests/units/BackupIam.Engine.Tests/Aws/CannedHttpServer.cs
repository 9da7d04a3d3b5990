using Xunit;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>A tiny HTTP server on 127.0.0.1 that answers with queued canned responses and records each request.</summary>
public sealed class CannedHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _responses = new();
    private readonly Task _loop;

    public CannedHttpServer()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
                _listener.Start();
                Endpoint = new Uri("http://127.0.0.1:" + port + "/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public void Enqueue(int status, string body) => _responses.Enqueue((status, body));

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8))
            {
                string body = await reader.ReadToEndAsync();
                var headers = ctx.Request.Headers.AllKeys.Where(k => k != null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                Requests.Enqueue(new RecordedRequest(ctx.Request.HttpMethod, body, headers) { RawUrl = ctx.Request.RawUrl ?? "" });
            }

            (int status, string responseBody) = _responses.TryDequeue(out var r) ? r : (500, "<ErrorResponse><Error><Code>NoCannedResponse</Code><Message>queue empty</Message></Error></ErrorResponse>");
            byte[] bytes = Encoding.UTF8.GetBytes(responseBody);
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "text/xml";
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public sealed record RecordedRequest(string Method, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>The request target as sent (path and query, still percent-encoded).</summary>
        public string RawUrl { get; init; } = "";

        public IReadOnlyDictionary<string, string> Form =>
            Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");
    }
}
