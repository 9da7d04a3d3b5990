using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Namespace-agnostic readers for IAM Query-protocol XML.</summary>
    internal static class IamXml
    {
        public static XElement? Child(this XElement? parent, string localName)
        {
            return parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);
        }

        public static string Text(this XElement? parent, string localName)
        {
            return parent.Child(localName)?.Value ?? "";
        }

        public static string? TextOrNull(this XElement? parent, string localName)
        {
            return parent.Child(localName)?.Value;
        }

        public static IEnumerable<XElement> Members(this XElement? parent, string listName)
        {
            XElement? list = parent.Child(listName);
            return list == null ? Enumerable.Empty<XElement>() : list.Elements().Where(e => e.Name.LocalName == "member");
        }

        public static DateTime Date(this XElement? parent, string localName)
        {
            return DateOrNull(parent, localName) ?? default;
        }

        public static DateTime? DateOrNull(this XElement? parent, string localName)
        {
            string? s = parent.TextOrNull(localName);
            if (string.IsNullOrWhiteSpace(s))
            {
                return null;
            }

            return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime d)
                ? d
                : (DateTime?)null;
        }

        public static bool Bool(this XElement? parent, string localName)
        {
            return string.Equals(parent.TextOrNull(localName)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        }

        public static User ReadUser(XElement? e)
        {
            var user = new User
            {
                UserName = e.Text("UserName"),
                UserId = e.Text("UserId"),
                Arn = e.Text("Arn"),
                Path = e.TextOrNull("Path") ?? "/",
                CreateDate = e.Date("CreateDate"),
                PasswordLastUsed = e.DateOrNull("PasswordLastUsed"),
                Tags = ReadTags(e),
            };
            XElement? boundary = e.Child("PermissionsBoundary");
            if (boundary != null && !string.IsNullOrEmpty(boundary.Text("PermissionsBoundaryArn")))
            {
                user.PermissionsBoundary = new AttachedPermissionsBoundary
                {
                    PermissionsBoundaryArn = boundary.Text("PermissionsBoundaryArn"),
                    PermissionsBoundaryType = boundary.Text("PermissionsBoundaryType"),
                };
            }

            return user;
        }

        public static List<Tag> ReadTags(XElement? e)
        {
            XElement? list = e.Child("Tags");
            if (list == null)
            {
                return new List<Tag>();
            }

            // AWS: <Tags><member><Key>k</Key><Value>v</Value></member>...</Tags>. Ceph RGW 16 answers two other forms:
            // GetRole gives the key and the value as separate members (<member><Key>k</Key></member><member><Value>v</Value></member>),
            // and ListRoleTags no members at all (<Tags><Key><Key>k</Key></Key><Value><Value>v</Value></Value></Tags>).
            var tags = new List<Tag>();
            List<XElement> items = list.Elements().Where(m => m.Name.LocalName == "member").ToList();
            if (items.Count == 0)
            {
                items = list.Elements().Where(m => m.Name.LocalName == "Key" || m.Name.LocalName == "Value")
                    .Select(m => new XElement("member", new XElement(m.Name.LocalName, m.Elements().Any() ? m.Text(m.Name.LocalName) : m.Value)))
                    .ToList();
            }

            Tag? pending = null;
            foreach (XElement member in items)
            {
                string? key = member.TextOrNull("Key");
                string? value = member.TextOrNull("Value");
                if (key != null && value != null)
                {
                    tags.Add(new Tag(key, value));
                    pending = null;
                }
                else if (key != null)
                {
                    pending = new Tag(key, "");
                    tags.Add(pending);
                }
                else if (value != null && pending != null)
                {
                    pending.Value = value;
                    pending = null;
                }
            }

            return tags;
        }

        public static Group ReadGroup(XElement? e)
        {
            return new Group
            {
                GroupName = e.Text("GroupName"),
                GroupId = e.Text("GroupId"),
                Arn = e.Text("Arn"),
                Path = e.TextOrNull("Path") ?? "/",
                CreateDate = e.Date("CreateDate"),
            };
        }

        public static AccessKeyMetadata ReadAccessKeyMetadata(XElement? e)
        {
            return new AccessKeyMetadata
            {
                AccessKeyId = e.Text("AccessKeyId"),
                Status = e.Text("Status"),
                CreateDate = e.Date("CreateDate"),
                UserName = e.Text("UserName"),
            };
        }

        public static AttachedPolicyType ReadAttachedPolicy(XElement? e)
        {
            return new AttachedPolicyType { PolicyName = e.Text("PolicyName"), PolicyArn = e.Text("PolicyArn") };
        }

        /// <summary>IAM returns policy documents URL-encoded (RFC 3986); give back the JSON.</summary>
        public static string DecodePolicyDocument(string raw)
        {
            if (string.IsNullOrEmpty(raw))
            {
                return raw;
            }

            string trimmed = raw.TrimStart();
            if (trimmed.StartsWith("{", StringComparison.Ordinal))
            {
                return raw; // already plain JSON (some S3-compatible IAM implementations do not encode)
            }

            return Uri.UnescapeDataString(raw);
        }
    }
}
