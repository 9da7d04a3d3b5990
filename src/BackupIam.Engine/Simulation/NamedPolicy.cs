using System;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Simulation
{
    /// <summary>A policy document with the name it is reported under (for example the IAM policy name or "BucketPolicy").</summary>
    public sealed class NamedPolicy
    {
        /// <summary>Creates a named policy.</summary>
        /// <param name="name">The name shown in results, e.g. <c>BackupIam-restic</c>.</param>
        /// <param name="document">The policy document.</param>
        /// <param name="isResourcePolicy">True for a bucket (resource) policy, whose statements need a Principal match.</param>
        public NamedPolicy(string name, PolicyDocument document, bool isResourcePolicy = false)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Document = document ?? throw new ArgumentNullException(nameof(document));
            IsResourcePolicy = isResourcePolicy;
        }

        /// <summary>The name shown in results.</summary>
        public string Name { get; }

        /// <summary>The policy document. It may be edited between evaluations; the evaluator notices and recompiles.</summary>
        public PolicyDocument Document { get; }

        /// <summary>True for a resource (bucket) policy.</summary>
        public bool IsResourcePolicy { get; }

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
