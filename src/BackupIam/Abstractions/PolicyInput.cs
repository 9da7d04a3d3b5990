using System.IO;
using System.Linq;
using System.Management.Automation;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>One policy taken from the pipeline: our own BackupPolicy, JSON text, or any object with a PolicyDocument property.</summary>
    internal sealed class PolicyInput
    {
        private PolicyInput(string name, PolicyDocument document, string text, bool isBucketPolicy, BackupPolicy? source)
        {
            Name = name;
            Document = document;
            Text = text;
            IsBucketPolicy = isBucketPolicy;
            Source = source;
        }

        public string Name { get; }

        public PolicyDocument Document { get; }

        /// <summary>The JSON as given (used for IAM's size measure).</summary>
        public string Text { get; }

        public bool IsBucketPolicy { get; }

        public BackupPolicy? Source { get; }

        public static PolicyInput FromObject(object value, string parameterName, int position)
        {
            object item = value is PSObject ps ? ps.BaseObject : value;
            if (item is BackupPolicy policy)
            {
                return new PolicyInput(policy.PolicyName ?? $"Policy{position}", policy.Document, policy.PolicyDocument,
                    policy.Kind == "Bucket", policy);
            }

            if (item is FileInfo file)
            {
                return FromFile(file.FullName, parameterName);
            }

            string? text = item as string;
            string name = $"Policy{position}";
            if (text == null && value is PSObject wrapped)
            {
                text = wrapped.Properties["PolicyDocument"]?.Value?.ToString();
                name = wrapped.Properties["PolicyName"]?.Value?.ToString() ?? name;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                throw new InputValidationException(
                    "PolicyInputInvalid", parameterName,
                    $"-{parameterName} takes policy JSON text, a BackupPolicy object from New-BackupPolicy, or an object with a PolicyDocument property; got {item.GetType().Name}.");
            }

            return FromText(text!, name);
        }

        public static PolicyInput FromText(string text, string name)
        {
            PolicyDocument document = PolicyJson.Parse(text);
            return new PolicyInput(name, document, text, document.Statements.Any(s => s.Principal != null || s.NotPrincipal != null), null);
        }

        public static PolicyInput FromFile(string path, string parameterName)
        {
            if (!File.Exists(path))
            {
                throw new InputValidationException("PolicyFileNotFound", parameterName, $"The policy file '{path}' does not exist.");
            }

            return FromText(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path));
        }
    }
}
