using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// One HTTP connection pool per handler configuration for the whole process (issue 16): every cmdlet's IAM, S3 and
    /// STS clients send through the same handler, so a pipeline of cmdlets reuses its keep-alive connections (and TLS
    /// sessions) instead of opening new ones per cmdlet. Each client gets a <see cref="DelegatingHandler"/> that never
    /// disposes the shared pool; disposing a client (or its HttpClient) still cancels the requests it has in flight.
    /// S3 against a custom endpoint (S3-compatible stores) uses <see cref="GetOneRequestPerPool"/> instead.
    /// </summary>
    internal static class SharedHttpHandlers
    {
        private static readonly object Lock = new object();
        private static readonly Dictionary<string, HttpMessageHandler> Pools = new Dictionary<string, HttpMessageHandler>(StringComparer.Ordinal);
        private static readonly Dictionary<string, PoolStack> Stacks = new Dictionary<string, PoolStack>(StringComparer.Ordinal);

        /// <summary>
        /// A handler over the shared pool for these settings; the caller owns (and may dispose) the returned handler,
        /// never the pool under it.
        /// </summary>
        public static HttpMessageHandler Get(bool allowAutoRedirect, DecompressionMethods decompression, int? maxConnectionsPerServer, IWebProxy? proxy)
        {
            if (proxy != null)
            {
                // A configured web proxy: a handler of the client's own, as before (proxies are not compared).
                return Create(allowAutoRedirect, decompression, maxConnectionsPerServer, proxy);
            }

            string key = Key(allowAutoRedirect, decompression, maxConnectionsPerServer);
            lock (Lock)
            {
                if (!Pools.TryGetValue(key, out HttpMessageHandler? pool))
                {
                    pool = Create(allowAutoRedirect, decompression, maxConnectionsPerServer, null);
                    Pools[key] = pool;
                }

                return new NonDisposingHandler(pool);
            }
        }

        /// <summary>
        /// A handler for an S3-compatible store (custom endpoint): every request goes through a pool that no other request uses
        /// while it is in flight, and a request with a body that gets an error answer takes its pool (and so its connection)
        /// out of use; see <see cref="OneRequestPerPoolHandler"/>. The caller owns the returned handler, never the pools under it.
        /// </summary>
        public static HttpMessageHandler GetOneRequestPerPool(bool allowAutoRedirect, DecompressionMethods decompression, int? maxConnectionsPerServer, IWebProxy? proxy)
        {
            if (proxy != null)
            {
                // A configured web proxy: pools of the client's own, disposed with it (proxies are not compared).
                return new OneRequestPerPoolHandler(new PoolStack(() => Create(allowAutoRedirect, decompression, maxConnectionsPerServer, proxy)), ownsStack: true);
            }

            string key = Key(allowAutoRedirect, decompression, maxConnectionsPerServer);
            lock (Lock)
            {
                if (!Stacks.TryGetValue(key, out PoolStack? stack))
                {
                    stack = new PoolStack(() => Create(allowAutoRedirect, decompression, maxConnectionsPerServer, null));
                    Stacks[key] = stack;
                }

                return new OneRequestPerPoolHandler(stack, ownsStack: false);
            }
        }

        private static string Key(bool allowAutoRedirect, DecompressionMethods decompression, int? maxConnectionsPerServer) =>
            string.Join("|", allowAutoRedirect, decompression, maxConnectionsPerServer?.ToString() ?? "-");

        private static HttpClientHandler Create(bool allowAutoRedirect, DecompressionMethods decompression, int? maxConnectionsPerServer, IWebProxy? proxy)
        {
            var handler = new HttpClientHandler { AllowAutoRedirect = allowAutoRedirect, AutomaticDecompression = decompression };
            if (maxConnectionsPerServer.HasValue)
            {
                handler.MaxConnectionsPerServer = maxConnectionsPerServer.Value;
            }

            if (proxy != null)
            {
                handler.Proxy = proxy;
                handler.UseProxy = true;
            }

            return handler;
        }

        /// <summary>Passes requests to the shared pool and leaves it open when disposed.</summary>
        private sealed class NonDisposingHandler : DelegatingHandler
        {
            public NonDisposingHandler(HttpMessageHandler pool) : base(pool) { }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                base.SendAsync(request, cancellationToken);

            protected override void Dispose(bool disposing)
            {
                // The pool is shared by every client of the process: not disposed with this one.
            }
        }

        /// <summary>
        /// Idle connection pools (one <see cref="HttpClientHandler"/> each, holding the keep-alive connection of its last
        /// request) per endpoint; a request takes one for itself and gives it back when its answer is read.
        /// </summary>
        internal sealed class PoolStack : IDisposable
        {
            /// <summary>Idle pools kept per endpoint: more than the module ever sends at once; extra ones are closed.</summary>
            internal const int MaxIdle = 16;

            private readonly Func<HttpClientHandler> _create;
            private readonly Dictionary<string, Stack<HttpMessageInvoker>> _idle = new Dictionary<string, Stack<HttpMessageInvoker>>(StringComparer.OrdinalIgnoreCase);
            private bool _disposed;

            public PoolStack(Func<HttpClientHandler> create) => _create = create;

            /// <summary>The most recently given back pool for this endpoint (its connection is the warmest), else a new one.</summary>
            public HttpMessageInvoker Take(string endpoint)
            {
                lock (_idle)
                {
                    if (_idle.TryGetValue(endpoint, out Stack<HttpMessageInvoker>? stack) && stack.Count > 0)
                    {
                        return stack.Pop();
                    }
                }

                return new HttpMessageInvoker(_create(), disposeHandler: true);
            }

            /// <summary>Gives a pool back for the next request to this endpoint; closes it when enough are idle.</summary>
            public void Return(string endpoint, HttpMessageInvoker pool)
            {
                lock (_idle)
                {
                    if (!_disposed)
                    {
                        if (!_idle.TryGetValue(endpoint, out Stack<HttpMessageInvoker>? stack))
                        {
                            stack = new Stack<HttpMessageInvoker>();
                            _idle[endpoint] = stack;
                        }

                        if (stack.Count < MaxIdle)
                        {
                            stack.Push(pool);
                            return;
                        }
                    }
                }

                pool.Dispose();
            }

            /// <summary>Closes every idle pool (pools in use are closed when their request gives them back).</summary>
            public void Dispose()
            {
                var idle = new List<HttpMessageInvoker>();
                lock (_idle)
                {
                    _disposed = true;
                    foreach (Stack<HttpMessageInvoker> stack in _idle.Values)
                    {
                        idle.AddRange(stack);
                    }

                    _idle.Clear();
                }

                foreach (HttpMessageInvoker pool in idle)
                {
                    pool.Dispose();
                }
            }
        }

        /// <summary>
        /// Sends each request through a connection pool of its own while it is in flight, and gives up that pool after a
        /// request with a body got an error answer.
        /// <para>
        /// Why: Ceph RGW answers a refused PUT (403) without reading its body and keeps the connection open; it then reads
        /// those bytes as the start of the next request on that connection and answers it 400 BadRequest (the intermittent
        /// failure of BucketPlannerRgwTests' repair test). Such a connection must never carry another request. It used to
        /// be closed after EVERY request with a body (<c>Connection: close</c>), which cost the next request a new
        /// connection (one round trip, more with TLS) after every successful write too.
        /// </para>
        /// <para>
        /// How: a request takes an idle pool (an <see cref="HttpClientHandler"/>) from <see cref="PoolStack"/>, or a new one,
        /// sends, reads the whole answer (the connection goes back to that pool's idle list only when the answer's body is
        /// read), and then gives the pool back, or disposes it (closing its connection) when the request had a body and the
        /// answer is not a success (any status outside 2xx: a store may answer before reading the body with any error), or
        /// when the attempt failed without an answer (the connection's state is unknown). A success answer that a store
        /// sent before reading the body cannot be told apart at this level and is not handled. (AWSSDK.S3 sends
        /// PUTs with <c>Expect: 100-continue</c>, yet a refusal that comes without <c>100 Continue</c> does not spare the
        /// connection: .NET 10 was seen sending the body after the 403, see UnreadBodyHttpServer in the tests.)
        /// </para>
        /// <para>
        /// The race, and why there is none: concurrent requests (a bucket's three protections go together) each hold a
        /// different pool, so a pool never has two requests in flight, and nothing can be handed a connection that another
        /// request left unread bytes on: the refused request's pool is disposed after its answer is read, and no other
        /// request was in it. The obvious alternative, one shared pool that a refused request "retires" (new requests get a
        /// fresh pool), is NOT safe: a request that entered the old pool before the retirement and is still waiting for a
        /// new connection is handed the first connection that becomes idle there (SocketsHttpHandler's request queue in
        /// .NET 6+, HttpWebRequest's connection-group wait list on .NET Framework), which may be the refused one once its
        /// answer is read. Disposing a pool here never fails another request: it holds none. Concurrent requests cost no
        /// more connections than in one shared pool (a pool with no idle connection opens one there too), and sequential
        /// requests reuse the last pool given back, with its keep-alive connection.
        /// </para>
        /// Works on netstandard2.0 (no SocketsHttpHandler/ConnectCallback needed): on .NET Framework, each HttpClientHandler
        /// has its own connection group, which its Dispose closes.
        /// </summary>
        internal sealed class OneRequestPerPoolHandler : HttpMessageHandler
        {
            private readonly PoolStack _pools;
            private readonly bool _ownsStack;

            public OneRequestPerPoolHandler(PoolStack pools, bool ownsStack)
            {
                _pools = pools;
                _ownsStack = ownsStack;
            }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                string endpoint = request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? string.Empty;
                HttpMessageInvoker pool = _pools.Take(endpoint);
                bool keep = false;
                try
                {
                    HttpResponseMessage response = await pool.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (response.Content != null)
                    {
                        try
                        {
                            // The connection leaves this request (back to the pool's idle list) when the body is read.
                            await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                        }
                        catch
                        {
                            response.Dispose();
                            throw;
                        }
                    }

                    keep = response.IsSuccessStatusCode || !HasBody(request);
                    return response;
                }
                finally
                {
                    if (keep)
                    {
                        _pools.Return(endpoint, pool);
                    }
                    else
                    {
                        pool.Dispose();
                    }
                }
            }

            /// <summary>The request sends body bytes (which a store that refuses it may leave unread on the connection).</summary>
            internal static bool HasBody(HttpRequestMessage request) =>
                request.Content != null && request.Content.Headers.ContentLength != 0;

            protected override void Dispose(bool disposing)
            {
                if (disposing && _ownsStack)
                {
                    _pools.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
