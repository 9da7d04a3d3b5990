using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using static BackupIam.Engine.Aws.Iam.IamQueryTransport;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>The reads behind Get-BackupUser/Get-BackupGroup and the managed tag, over the IAM Query protocol.</summary>
    public sealed partial class IamQueryClient
    {
        /// <inheritdoc />
        public async Task<ListUserTagsResponse> ListUserTagsAsync(ListUserTagsRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "ListUserTags")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListUserTags", p, cancellationToken).ConfigureAwait(false);
            return Paged(new ListUserTagsResponse { Tags = IamXml.ReadTags(r.Result) }, r);
        }

        /// <inheritdoc />
        public async Task<ListGroupsResponse> ListGroupsAsync(ListGroupsRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("PathPrefix", Check(request).PathPrefix).AddPaging(request);
            var r = await _transport.InvokeAsync("ListGroups", p, cancellationToken).ConfigureAwait(false);
            return Paged(new ListGroupsResponse { Groups = r.Result.Members("Groups").Select(IamXml.ReadGroup).ToList() }, r);
        }

        /// <inheritdoc />
        public async Task<GetPolicyResponse> GetPolicyAsync(GetPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("PolicyArn", Required(Check(request).PolicyArn, "PolicyArn", "GetPolicy"));
            var r = await _transport.InvokeAsync("GetPolicy", p, cancellationToken).ConfigureAwait(false);
            XElement? e = r.Result.Child("Policy");
            return new GetPolicyResponse
            {
                Policy = new ManagedPolicy
                {
                    PolicyName = e.Text("PolicyName"),
                    PolicyId = e.Text("PolicyId"),
                    Arn = e.Text("Arn"),
                    Path = e.TextOrNull("Path") ?? "/",
                    DefaultVersionId = e.Text("DefaultVersionId"),
                    AttachmentCount = int.TryParse(e.Text("AttachmentCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) ? count : 0,
                    IsAttachable = e.Bool("IsAttachable"),
                    Description = e.TextOrNull("Description"),
                    CreateDate = e.Date("CreateDate"),
                    UpdateDate = e.Date("UpdateDate"),
                    Tags = IamXml.ReadTags(e),
                },
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<GetPolicyVersionResponse> GetPolicyVersionAsync(GetPolicyVersionRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("PolicyArn", Required(Check(request).PolicyArn, "PolicyArn", "GetPolicyVersion"))
                .Add("VersionId", Required(request.VersionId, "VersionId", "GetPolicyVersion"));
            var r = await _transport.InvokeAsync("GetPolicyVersion", p, cancellationToken).ConfigureAwait(false);
            XElement? v = r.Result.Child("PolicyVersion");
            return new GetPolicyVersionResponse
            {
                PolicyVersion = new PolicyVersion
                {
                    Document = IamXml.DecodePolicyDocument(v.Text("Document")),
                    VersionId = v.Text("VersionId"),
                    IsDefaultVersion = v.Bool("IsDefaultVersion"),
                    CreateDate = v.Date("CreateDate"),
                },
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<TagRoleResponse> TagRoleAsync(TagRoleRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("RoleName", Required(Check(request).RoleName, "RoleName", "TagRole")).AddTags(request.Tags);
            var r = await _transport.InvokeAsync("TagRole", p, cancellationToken).ConfigureAwait(false);
            return new TagRoleResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListRoleTagsResponse> ListRoleTagsAsync(ListRoleTagsRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("RoleName", Required(Check(request).RoleName, "RoleName", "ListRoleTags")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListRoleTags", p, cancellationToken).ConfigureAwait(false);
            return Paged(new ListRoleTagsResponse { Tags = IamXml.ReadTags(r.Result) }, r);
        }
    }
}
