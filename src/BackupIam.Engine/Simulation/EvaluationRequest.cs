using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Simulation
{
    /// <summary>One simulated request: an action on a resource by a principal, with its condition context.</summary>
    public sealed class EvaluationRequest
    {
        /// <summary>Creates a request.</summary>
        /// <param name="action">The action, e.g. <c>s3:ListBucket</c>.</param>
        /// <param name="resource">The resource ARN, e.g. <c>arn:aws:s3:::my-bucket</c>.</param>
        /// <param name="principal">The principal making the request.</param>
        /// <param name="context">Condition keys and their values. Copied into a case-insensitive dictionary unless it already is one.</param>
        public EvaluationRequest(
            string action,
            string resource,
            PrincipalInfo principal,
            IDictionary<string, IReadOnlyList<string>>? context = null)
        {
            Action = action ?? throw new ArgumentNullException(nameof(action));
            Resource = resource ?? throw new ArgumentNullException(nameof(resource));
            Principal = principal ?? throw new ArgumentNullException(nameof(principal));
            if (context is Dictionary<string, IReadOnlyList<string>> d && ReferenceEquals(d.Comparer, StringComparer.OrdinalIgnoreCase))
            {
                Context = d;
            }
            else
            {
                var copy = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
                if (context != null)
                {
                    foreach (var pair in context)
                    {
                        copy[pair.Key] = pair.Value;
                    }
                }

                Context = copy;
            }
        }

        /// <summary>The action, e.g. <c>s3:ListBucket</c>.</summary>
        public string Action { get; }

        /// <summary>The resource ARN.</summary>
        public string Resource { get; }

        /// <summary>The principal.</summary>
        public PrincipalInfo Principal { get; }

        /// <summary>
        /// Condition keys (looked up case-insensitively) to their values. A key absent here is "missing"
        /// (except aws:username, aws:userid, aws:PrincipalAccount and aws:PrincipalArn, which fall back to <see cref="Principal"/>).
        /// </summary>
        public IDictionary<string, IReadOnlyList<string>> Context { get; }

        /// <summary>Sets a condition key and returns this request, for chaining.</summary>
        public EvaluationRequest WithContext(string key, params string[] values)
        {
            Context[key] = values;
            return this;
        }

        /// <inheritdoc />
        public override string ToString() => Action + " on " + Resource;
    }
}
