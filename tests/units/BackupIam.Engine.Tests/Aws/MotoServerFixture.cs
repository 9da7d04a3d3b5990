using Xunit;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BackupIam.Engine.Aws;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// Starts a real moto server (python3 -m moto.server) on a free 127.0.0.1 port for the whole collection and kills it
/// afterwards. If it cannot start, the constructor throws and every test in the collection fails (never skips).
/// </summary>
public sealed class MotoServerFixture : IDisposable
{
    public const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    public MotoServerFixture()
    {
        Port = FreePort();
        EndpointUrl = "http://127.0.0.1:" + Port;
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-m", "moto.server", "-H", "127.0.0.1", "-p", Port.ToString() })
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 -m moto.server did not start.");
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("moto server exited with code " + _process.ExitCode + ": " + Log);
            }

            try
            {
                using var r = http.GetAsync(EndpointUrl + "/moto-api/").GetAwaiter().GetResult();
                if ((int)r.StatusCode < 500)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                Dispose();
                throw new InvalidOperationException("moto server did not answer on " + EndpointUrl + " within 30 s: " + Log);
            }

            Thread.Sleep(100);
        }
    }

    public int Port { get; }

    public string EndpointUrl { get; }

    public string Log
    {
        get { lock (_log) { return _log.ToString(); } }
    }

    /// <summary>A session pointed at moto for every service, with fake keys and an empty environment.</summary>
    public AwsSession CreateSession(string region = "us-east-1")
    {
        return AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = AccessKey, SecretKey = SecretKey, Region = region, EndpointUrl = EndpointUrl },
            new Dictionary<string, string?>());
    }

    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
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

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServerFixture>
{
    public const string Name = "Moto server";
}
