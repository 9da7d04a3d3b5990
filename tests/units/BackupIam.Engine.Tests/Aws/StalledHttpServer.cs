using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// A local listener for transport-level failures: it reads each request's head and then never answers (<see cref="Mode.Silent"/>),
/// closes the connection without a response (<see cref="Mode.Drop"/>), or sends a response head that promises more body than it
/// sends before closing (<see cref="Mode.Truncate"/>). <see cref="Requests"/> counts the requests that reached it.
/// </summary>
public sealed class StalledHttpServer : LocalTcpServer
{
    private readonly Mode _mode;
    private int _requests;

    public StalledHttpServer(Mode mode)
    {
        _mode = mode;
        Start();
    }

    public enum Mode
    {
        Silent,
        Drop,
        Truncate,
    }

    /// <summary>Requests whose head arrived.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The first line of each request, e.g. <c>PUT /bucket/key HTTP/1.1</c>.</summary>
    public List<string> RequestLines { get; } = new();

    protected override async Task ServeAsync(TcpClient client)
    {
        try
        {
            NetworkStream stream = client.GetStream();
            while (!Stopping.IsCancellationRequested)
            {
                string? head = await ReadHeadAsync(stream);
                if (head == null)
                {
                    return;
                }

                lock (RequestLines)
                {
                    RequestLines.Add(head.Split("\r\n")[0]);
                }

                Interlocked.Increment(ref _requests);
                switch (_mode)
                {
                    case Mode.Silent:
                        await Task.Delay(Timeout.Infinite, Stopping);
                        return;
                    case Mode.Drop:
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Close();
                        return;
                    default:
                        byte[] partial = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<partial");
                        await stream.WriteAsync(partial);
                        await stream.FlushAsync();
                        client.Close();
                        return;
                }
            }
        }
        catch (Exception)
        {
            // the client went away or the server stopped
        }
    }

    /// <summary>Reads one request head (and skips a body announced by Content-Length); null when the connection ends.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            int n = await stream.ReadAsync(one);
            if (n == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            int c = buffer.Count;
            if (c >= 4 && buffer[c - 4] == '\r' && buffer[c - 3] == '\n' && buffer[c - 2] == '\r' && buffer[c - 1] == '\n')
            {
                break;
            }

            if (c > 64 * 1024)
            {
                return null;
            }
        }

        string head = Encoding.ASCII.GetString(buffer.ToArray());
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) && int.TryParse(line.Substring(15).Trim(), out int length) && length > 0)
            {
                var body = new byte[length];
                int read = 0;
                while (read < length)
                {
                    int n = await stream.ReadAsync(body.AsMemory(read, length - read));
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }
            }
        }

        return head;
    }
}
