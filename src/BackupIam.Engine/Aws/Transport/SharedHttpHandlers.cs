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
    /// </summary>
    internal static class SharedHttpHandlers
    {
        private static readonly object Lock = new object();
        private static readonly Dictionary<string, HttpMessageHandler> Pools = new Dictionary<string, HttpMessageHandler>(StringComparer.Ordinal);

        /// <summary>
        /// A handler over the shared pool for these settings; the caller owns (and may dispose) the returned handler,
        /// never the pool under it.
        /// </summary>
        public static HttpMessageHandler Get(bool allowAutoRedirect, DecompressionMethods decompression, int? maxConnectionsPerServer, IWebProxy? proxy)
        {
            if (proxy != null)
            {
                // A configured web proxy: a handler of the client's own, as before (proxies are not compared).
                HttpClientHandler own = Create(allowAutoRedirect, decompression, maxConnectionsPerServer);
                own.Proxy = proxy;
                own.UseProxy = true;
                return own;
            }

            string key = string.Join("|", allowAutoRedirect, decompression, maxConnectionsPerServer?.ToString() ?? "-");
            lock (Lock)
            {
                if (!Pools.TryGetValue(key, out HttpMessageHandler? pool))
                {
                    pool = Create(allowAutoRedirect, decompression, maxConnectionsPerServer);
                    Pools[key] = pool;
                }

                return new NonDisposingHandler(pool);
            }
        }

        private static HttpClientHandler Create(bool allowAutoRedirect, DecompressionMethods decompression, int? maxConnectionsPerServer)
        {
            var handler = new HttpClientHandler { AllowAutoRedirect = allowAutoRedirect, AutomaticDecompression = decompression };
            if (maxConnectionsPerServer.HasValue)
            {
                handler.MaxConnectionsPerServer = maxConnectionsPerServer.Value;
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
    }
}
