using System.Net;
using System.Net.Sockets;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// What the transport tests' local listeners share: a TCP listener on 127.0.0.1 (an ephemeral port), an accept loop that
/// hands each connection to <see cref="ServeAsync"/> on its own task, a count of accepted connections, and a Dispose that
/// stops the loop and closes every connection it accepted.
/// </summary>
public abstract class LocalTcpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _connections;

    protected LocalTcpServer()
    {
        _listener.Start();
        Endpoint = new Uri("http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port + "/");
    }

    public Uri Endpoint { get; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (TcpClient c in _clients)
            {
                c.Dispose();
            }
        }

        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>Starts accepting; called by the derived constructor once its own fields are set.</summary>
    protected void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>Serves one accepted connection.</summary>
    protected abstract Task ServeAsync(TcpClient client);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            lock (_clients)
            {
                _clients.Add(client);
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }
}
