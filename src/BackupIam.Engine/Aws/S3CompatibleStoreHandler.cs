using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using Amazon.Runtime;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Reads the answers of S3-compatible stores (used only with a custom endpoint, never with AWS itself) the way
    /// AWSSDK.S3 understands them:
    /// <list type="bullet">
    /// <item>Ceph RGW answers GetPublicAccessBlock under the root element <c>BlockPublicAccessBlockConfiguration</c>,
    /// which the SDK reads as "all four settings off". The root is renamed to AWS's <c>PublicAccessBlockConfiguration</c>
    /// and the store's own root is remembered by request id (<see cref="TakePublicAccessBlockRoot"/>).</item>
    /// <item>A store that does not implement a bucket sub-resource may ignore it and answer the plain bucket listing
    /// (Ceph RGW 16 does so for <c>?ownershipControls</c> and <c>?encryption</c>), which the SDK reads as "not
    /// configured". Such an answer becomes a 501 <c>NotImplemented</c> error that names what the store answered.</item>
    /// </list>
    /// </summary>
    internal sealed class S3CompatibleStoreHandler : DelegatingHandler
    {
        internal const string RgwPublicAccessBlockRoot = "BlockPublicAccessBlockConfiguration";
        private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
        private const int MaxRemembered = 256;

        private readonly ConcurrentDictionary<string, string> _publicAccessBlockRoots = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        internal S3CompatibleStoreHandler(HttpMessageHandler inner)
            : base(inner)
        {
        }

        /// <summary>The store's own root element of a GetPublicAccessBlock answer, by its request id; null when it was AWS's.</summary>
        internal string? TakePublicAccessBlockRoot(string? requestId)
        {
            if (string.IsNullOrEmpty(requestId))
            {
                return null;
            }

            return _publicAccessBlockRoots.TryRemove(requestId!, out string? root) ? root : null;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (request.Method != HttpMethod.Get || response.StatusCode != HttpStatusCode.OK || response.Content == null)
            {
                return response;
            }

            string? subresource = BucketSubresource(request.RequestUri);
            string? expectedRoot = subresource switch
            {
                "publicAccessBlock" => "PublicAccessBlockConfiguration",
                "ownershipControls" => "OwnershipControls",
                "encryption" => "ServerSideEncryptionConfiguration",
                _ => null,
            };
            if (expectedRoot == null)
            {
                return response;
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            string? root = RootElement(body);
            if (root == null || root == expectedRoot)
            {
                response.Content = Copy(response.Content, body);
                return response;
            }

            string? requestId = response.Headers.TryGetValues("x-amz-request-id", out var ids) ? ids.FirstOrDefault() : null;
            if (subresource == "publicAccessBlock" && root == RgwPublicAccessBlockRoot)
            {
                string text = Encoding.UTF8.GetString(body);
                text = text.Replace("<" + root, "<" + expectedRoot).Replace("</" + root + ">", "</" + expectedRoot + ">");
                response.Content = Copy(response.Content, Encoding.UTF8.GetBytes(text));
                if (!string.IsNullOrEmpty(requestId))
                {
                    if (_publicAccessBlockRoots.Count >= MaxRemembered)
                    {
                        _publicAccessBlockRoots.Clear();
                    }

                    _publicAccessBlockRoots[requestId!] = root;
                }

                return response;
            }

            string operation = subresource == "ownershipControls" ? "GetBucketOwnershipControls"
                : subresource == "encryption" ? "GetBucketEncryption" : "GetPublicAccessBlock";
            string message = $"The store answered {operation} with HTTP 200 and a <{root}> document instead of <{expectedRoot}>: it does not implement this API.";
            string error = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotImplemented</Code><Message>" + SecurityElementEscape(message) +
                "</Message>" + (requestId == null ? "" : "<RequestId>" + SecurityElementEscape(requestId) + "</RequestId>") + "</Error>";
            var replaced = new HttpResponseMessage((HttpStatusCode)501)
            {
                RequestMessage = response.RequestMessage,
                ReasonPhrase = "Not Implemented",
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(error)),
            };
            replaced.Content.Headers.TryAddWithoutValidation("Content-Type", "application/xml");
            foreach (var header in response.Headers)
            {
                replaced.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Dispose();
            return replaced;
        }

        /// <summary>The bucket sub-resource a request names (<c>?publicAccessBlock</c>), or null.</summary>
        private static string? BucketSubresource(Uri? uri)
        {
            string query = uri?.Query ?? string.Empty;
            if (query.Length <= 1)
            {
                return null;
            }

            foreach (string part in query.Substring(1).Split('&'))
            {
                string key = part.Split('=')[0];
                if (key == "publicAccessBlock" || key == "ownershipControls" || key == "encryption")
                {
                    return key;
                }
            }

            return null;
        }

        private static string? RootElement(byte[] body)
        {
            if (body.Length == 0)
            {
                return null;
            }

            try
            {
                using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                return reader.MoveToContent() == XmlNodeType.Element ? reader.LocalName : null;
            }
            catch (XmlException)
            {
                return null;
            }
        }

        private static HttpContent Copy(HttpContent original, byte[] body)
        {
            var content = new ByteArrayContent(body);
            foreach (var header in original.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            original.Dispose();
            return content;
        }

        private static string SecurityElementEscape(string text) =>
            text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
    }
}
