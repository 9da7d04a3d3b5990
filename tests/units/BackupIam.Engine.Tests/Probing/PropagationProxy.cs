using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BackupIam.Engine.Tests.Probing;

/// <summary>
/// A small HTTP proxy on 127.0.0.1 in front of a real S3 server. For the first <c>rejectFor</c> it answers every request
/// as S3 does for a key it does not know yet (403 InvalidAccessKeyId); after that it forwards each request unchanged
/// (Host header included, so SigV4 signatures still verify). <see cref="TimeSpan.MaxValue"/> never accepts the key.
/// With <c>silent</c> it accepts connections and never answers.
/// </summary>
public sealed class PropagationProxy : IDisposable
{
    private static readonly HashSet<string> SkipRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Transfer-Encoding", "Expect", "Keep-Alive",
    };

    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-MD5", "Content-Encoding", "Content-Language", "Content-Disposition", "Content-Range", "Expires",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false });
    private readonly Uri? _target;
    private readonly TimeSpan _rejectFor;
    private readonly bool _silent;
    private readonly Stopwatch _clock = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private int _rejected;
    private int _forwarded;

    public PropagationProxy(string? targetUrl, TimeSpan rejectFor, bool silent = false)
    {
        _target = targetUrl == null ? null : new Uri(targetUrl);
        _rejectFor = rejectFor;
        _silent = silent;
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
                _listener.Start();
                Url = "http://127.0.0.1:" + port;
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; private set; } = string.Empty;

    /// <summary>Requests answered InvalidAccessKeyId.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>Requests forwarded to the server.</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>Starts the reject window now (the clock starts with the first request otherwise).</summary>
    public void StartClock() => _clock.Restart();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }

        _upstream.Dispose();
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
            catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            if (_silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }

            lock (_clock)
            {
                if (!_clock.IsRunning)
                {
                    _clock.Start();
                }
            }

            if (_rejectFor == TimeSpan.MaxValue || _clock.Elapsed < _rejectFor)
            {
                Interlocked.Increment(ref _rejected);
                await RejectAsync(ctx);
                return;
            }

            Interlocked.Increment(ref _forwarded);
            await ForwardAsync(ctx);
        }
        catch (Exception)
        {
            try
            {
                ctx.Response.Abort();
            }
            catch (Exception)
            {
            }
        }
    }

    private static async Task RejectAsync(HttpListenerContext ctx)
    {
        await ctx.Request.InputStream.CopyToAsync(Stream.Null);
        byte[] body = Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message><RequestId>PROXY0000000000</RequestId></Error>");
        ctx.Response.StatusCode = 403;
        ctx.Response.ContentType = "application/xml";
        if (ctx.Request.HttpMethod == "HEAD")
        {
            ctx.Response.Close();
            return;
        }

        ctx.Response.ContentLength64 = body.Length;
        await ctx.Response.OutputStream.WriteAsync(body);
        ctx.Response.Close();
    }

    private async Task ForwardAsync(HttpListenerContext ctx)
    {
        var request = new HttpRequestMessage(new HttpMethod(ctx.Request.HttpMethod), new Uri(_target!, ctx.Request.RawUrl));
        using var buffer = new MemoryStream();
        await ctx.Request.InputStream.CopyToAsync(buffer);
        bool hasBody = ctx.Request.HasEntityBody || buffer.Length > 0;
        if (hasBody)
        {
            request.Content = new ByteArrayContent(buffer.ToArray());
        }

        foreach (string? name in ctx.Request.Headers.AllKeys)
        {
            if (name == null || SkipRequestHeaders.Contains(name))
            {
                continue;
            }

            string[] values = ctx.Request.Headers.GetValues(name) ?? Array.Empty<string>();
            if (ContentHeaders.Contains(name))
            {
                request.Content ??= new ByteArrayContent(Array.Empty<byte>());
                request.Content.Headers.TryAddWithoutValidation(name, values);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, values);
            }
        }

        request.Headers.Host = ctx.Request.Headers["Host"];
        using HttpResponseMessage response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        ctx.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (string.Equals(header.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase)
                || string.Equals(header.Key, "Connection", StringComparison.OrdinalIgnoreCase)
                || string.Equals(header.Key, "Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (string value in header.Value)
            {
                ctx.Response.Headers.Add(header.Key, value);
            }
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync();
        if (ctx.Request.HttpMethod == "HEAD")
        {
            if (response.Content.Headers.ContentLength is long length)
            {
                ctx.Response.ContentLength64 = length;
            }

            ctx.Response.Close();
            return;
        }

        ctx.Response.ContentLength64 = body.Length;
        if (body.Length > 0)
        {
            await ctx.Response.OutputStream.WriteAsync(body);
        }

        ctx.Response.Close();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
