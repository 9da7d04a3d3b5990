using BackupIam.Engine.Policies;

namespace BackupIam
{
    /// <summary>
    /// A policy document with what it is for. Its properties bind by name into the next cmdlet
    /// (PolicyName, PolicyDocument, BucketName, Prefix, PrincipalArn, Kind).
    /// </summary>
    public sealed class BackupPolicy
    {
        internal BackupPolicy(PolicyDocument document, string kind)
        {
            Document = document;
            Kind = kind;
            PolicyDocument = PolicyJson.ToJson(document, indented: true);
            StatementCount = document.Statements.Count;
            Size = PolicyJson.CountNonWhitespaceCharacters(document);
        }

        /// <summary>The policy name to use when it is attached inline (e.g. UploadFilesToBackup).</summary>
        public string? PolicyName { get; set; }

        /// <summary>The preset it was built from, if any.</summary>
        public string? Preset { get; set; }

        /// <summary>Identity (user or group inline policy) or Bucket (bucket policy with a Principal).</summary>
        public string Kind { get; }

        public string? BucketName { get; set; }

        public string? Prefix { get; set; }

        public string? PrincipalArn { get; set; }

        /// <summary>The canonical JSON, ready to paste into the console, CloudFormation or Terraform.</summary>
        public string PolicyDocument { get; }

        public int StatementCount { get; }

        /// <summary>Characters without whitespace, as IAM counts them against its size limits.</summary>
        public int Size { get; }

        internal PolicyDocument Document { get; }

        public override string ToString() => PolicyDocument;
    }
}
