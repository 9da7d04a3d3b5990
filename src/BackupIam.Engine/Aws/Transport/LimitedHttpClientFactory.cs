using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Counts the HTTP attempts of one SDK call. <see cref="Begin"/> opens a scope in the calling async flow; the
    /// <see cref="AttemptLimitHandler"/> under the SDK's HttpClient counts each request it sends in that flow.
    /// </summary>
    internal sealed class AttemptScope
    {
        private static readonly AsyncLocal<AttemptScope?> CurrentScope = new AsyncLocal<AttemptScope?>();

        private int _attempts;

        /// <summary>The scope of the current async flow, or null outside one.</summary>
        public static AttemptScope? Current => CurrentScope.Value;

        /// <summary>HTTP requests sent so far in this scope.</summary>
        public int Attempts => Volatile.Read(ref _attempts);

        /// <summary>Opens a scope for the current async flow (and the calls it makes).</summary>
        public static AttemptScope Begin()
        {
            var scope = new AttemptScope();
            CurrentScope.Value = scope;
            return scope;
        }

        internal void Count() => Interlocked.Increment(ref _attempts);
    }

    /// <summary>One HTTP attempt of an SDK call got no answer within the per-attempt timeout.</summary>
    internal sealed class AttemptTimeoutException : TimeoutException
    {
        public AttemptTimeoutException(TimeSpan timeout, Exception inner)
            : base("No answer within " + AwsRequestLimits.Seconds(timeout) + " s.", inner)
        {
        }
    }

    /// <summary>
    /// Gives every HTTP attempt of AWSSDK's clients (S3, STS) the per-attempt timeout and counts the attempts. An attempt
    /// that times out fails with an <see cref="AttemptTimeoutException"/> (a transient error the SDK retries); the bound on
    /// the whole call is the cancellation token the gateways pass (<see cref="SdkCall"/>).
    /// </summary>
    internal sealed class AttemptLimitHandler : DelegatingHandler
    {
        private readonly TimeSpan _attemptTimeout;

        /// <param name="attemptTimeout">Timeout of one attempt.</param>
        /// <param name="inner">The next handler.</param>
        public AttemptLimitHandler(TimeSpan attemptTimeout, HttpMessageHandler inner)
            : base(inner)
        {
            _attemptTimeout = attemptTimeout;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            AttemptScope.Current?.Count();
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCts.CancelAfter(_attemptTimeout);
                try
                {
                    HttpResponseMessage response = await base.SendAsync(request, attemptCts.Token).ConfigureAwait(false);
                    if (response.Content != null)
                    {
                        // Read the body within the attempt's time, so that a server that stalls mid-body times out here too.
                        await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                    }

                    return response;
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && attemptCts.IsCancellationRequested)
                {
                    throw new HttpRequestException("The request timed out.", new AttemptTimeoutException(_attemptTimeout, ex));
                }
            }
        }
    }

    /// <summary>
    /// The HttpClient factory of the gateways' AWSSDK clients: one HttpClient per gateway over the process's shared connection pool, with
    /// <see cref="AttemptLimitHandler"/> in front of the SDK's usual handler settings.
    /// </summary>
    internal sealed class LimitedHttpClientFactory : HttpClientFactory, IDisposable
    {
        private readonly AwsRequestLimits _limits;
        private readonly Func<HttpMessageHandler, HttpMessageHandler>? _wrap;
        private readonly object _lock = new object();
        private HttpClient? _client;

        /// <param name="limits">The request limits (the per-attempt timeout is applied here).</param>
        /// <param name="wrap">A handler to put between the attempt limit and the network (e.g. <see cref="S3CompatibleStoreHandler"/>).</param>
        public LimitedHttpClientFactory(AwsRequestLimits limits, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
        {
            _limits = limits ?? throw new ArgumentNullException(nameof(limits));
            _wrap = wrap;
        }

        /// <summary>
        /// Each request gets a connection pool of its own while in flight, and a request with a body that gets an error
        /// answer takes its connection out of use (set for S3-compatible stores: Ceph RGW leaves a refused PUT's body unread
        /// on the connection; see <see cref="SharedHttpHandlers.OneRequestPerPoolHandler"/>).
        /// </summary>
        public bool DropConnectionAfterRefusedBody { get; set; }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            lock (_lock)
            {
                if (_client == null)
                {
                    // The process-wide connection pool for these settings (SharedHttpHandlers): cmdlets reuse connections.
                    HttpMessageHandler handler = DropConnectionAfterRefusedBody
                        ? SharedHttpHandlers.GetOneRequestPerPool(clientConfig.AllowAutoRedirect, DecompressionMethods.None,
                            clientConfig.MaxConnectionsPerServer, clientConfig.GetWebProxy())
                        : SharedHttpHandlers.Get(clientConfig.AllowAutoRedirect, DecompressionMethods.None,
                            clientConfig.MaxConnectionsPerServer, clientConfig.GetWebProxy());
                    HttpMessageHandler network = _wrap == null ? handler : _wrap(handler);
                    _client = new HttpClient(new AttemptLimitHandler(_limits.AttemptTimeout, network)) { Timeout = Timeout.InfiniteTimeSpan };
                }

                return _client;
            }
        }

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

        public void Dispose()
        {
            lock (_lock)
            {
                _client?.Dispose();
                _client = null;
            }
        }
    }
}
