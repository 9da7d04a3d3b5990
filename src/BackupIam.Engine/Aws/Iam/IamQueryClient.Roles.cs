using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using static BackupIam.Engine.Aws.Iam.IamQueryTransport;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Role and OIDC identity provider operations over the IAM Query protocol.</summary>
    public sealed partial class IamQueryClient
    {
        /// <inheritdoc />
        public async Task<GetRoleResponse> GetRoleAsync(GetRoleRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("RoleName", Required(Check(request).RoleName, "RoleName", "GetRole"));
            var r = await _transport.InvokeAsync("GetRole", p, cancellationToken).ConfigureAwait(false);
            return new GetRoleResponse { Role = ReadRole(r.Result.Child("Role")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<CreateRoleResponse> CreateRoleAsync(CreateRoleRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("RoleName", Required(Check(request).RoleName, "RoleName", "CreateRole"))
                .Add("AssumeRolePolicyDocument", Required(request.AssumeRolePolicyDocument, "AssumeRolePolicyDocument", "CreateRole"))
                .Add("Path", request.Path)
                .Add("Description", request.Description)
                .Add("MaxSessionDuration", request.MaxSessionDuration?.ToString(CultureInfo.InvariantCulture))
                .Add("PermissionsBoundary", request.PermissionsBoundary)
                .AddTags(request.Tags);
            var r = await _transport.InvokeAsync("CreateRole", p, cancellationToken).ConfigureAwait(false);
            return new CreateRoleResponse { Role = ReadRole(r.Result.Child("Role")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<UpdateRoleResponse> UpdateRoleAsync(UpdateRoleRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("RoleName", Required(Check(request).RoleName, "RoleName", "UpdateRole"))
                .Add("Description", request.Description)
                .Add("MaxSessionDuration", request.MaxSessionDuration?.ToString(CultureInfo.InvariantCulture));
            var r = await _transport.InvokeAsync("UpdateRole", p, cancellationToken).ConfigureAwait(false);
            return new UpdateRoleResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<UpdateAssumeRolePolicyResponse> UpdateAssumeRolePolicyAsync(UpdateAssumeRolePolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("RoleName", Required(Check(request).RoleName, "RoleName", "UpdateAssumeRolePolicy"))
                .Add("PolicyDocument", Required(request.PolicyDocument, "PolicyDocument", "UpdateAssumeRolePolicy"));
            var r = await _transport.InvokeAsync("UpdateAssumeRolePolicy", p, cancellationToken).ConfigureAwait(false);
            return new UpdateAssumeRolePolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<PutRolePermissionsBoundaryResponse> PutRolePermissionsBoundaryAsync(PutRolePermissionsBoundaryRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("RoleName", Required(Check(request).RoleName, "RoleName", "PutRolePermissionsBoundary"))
                .Add("PermissionsBoundary", Required(request.PermissionsBoundary, "PermissionsBoundary", "PutRolePermissionsBoundary"));
            var r = await _transport.InvokeAsync("PutRolePermissionsBoundary", p, cancellationToken).ConfigureAwait(false);
            return new PutRolePermissionsBoundaryResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<PutRolePolicyResponse> PutRolePolicyAsync(PutRolePolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("RoleName", Required(Check(request).RoleName, "RoleName", "PutRolePolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "PutRolePolicy"))
                .Add("PolicyDocument", Required(request.PolicyDocument, "PolicyDocument", "PutRolePolicy"));
            var r = await _transport.InvokeAsync("PutRolePolicy", p, cancellationToken).ConfigureAwait(false);
            return new PutRolePolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetRolePolicyResponse> GetRolePolicyAsync(GetRolePolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("RoleName", Required(Check(request).RoleName, "RoleName", "GetRolePolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "GetRolePolicy"));
            var r = await _transport.InvokeAsync("GetRolePolicy", p, cancellationToken).ConfigureAwait(false);
            return new GetRolePolicyResponse
            {
                RoleName = r.Result.Text("RoleName"),
                PolicyName = r.Result.Text("PolicyName"),
                PolicyDocument = IamXml.DecodePolicyDocument(r.Result.Text("PolicyDocument")),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<ListRolePoliciesResponse> ListRolePoliciesAsync(ListRolePoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("RoleName", Required(Check(request).RoleName, "RoleName", "ListRolePolicies")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListRolePolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListRolePoliciesResponse { PolicyNames = r.Result.Members("PolicyNames").Select(m => m.Value).ToList() };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<ListOpenIDConnectProvidersResponse> ListOpenIDConnectProvidersAsync(ListOpenIDConnectProvidersRequest request, CancellationToken cancellationToken)
        {
            Check(request);
            var r = await _transport.InvokeAsync("ListOpenIDConnectProviders", new Params(), cancellationToken).ConfigureAwait(false);
            return new ListOpenIDConnectProvidersResponse
            {
                // AWS lists <member><Arn>..</Arn></member>; Ceph RGW 16 lists <Arn><Arn>..</Arn></Arn>: read any entry's Arn.
                OpenIDConnectProviderList = (r.Result.Child("OpenIDConnectProviderList")?.Elements() ?? Enumerable.Empty<XElement>())
                    .Select(m => new OpenIDConnectProviderListEntry { Arn = m.TextOrNull("Arn") ?? m.Value })
                    .Where(e => e.Arn.Length > 0)
                    .ToList(),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<GetOpenIDConnectProviderResponse> GetOpenIDConnectProviderAsync(GetOpenIDConnectProviderRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("OpenIDConnectProviderArn", Required(Check(request).OpenIDConnectProviderArn, "OpenIDConnectProviderArn", "GetOpenIDConnectProvider"));
            var r = await _transport.InvokeAsync("GetOpenIDConnectProvider", p, cancellationToken).ConfigureAwait(false);
            return new GetOpenIDConnectProviderResponse
            {
                Url = r.Result.Text("Url"),
                ClientIDList = r.Result.Members("ClientIDList").Select(m => m.Value).ToList(),
                ThumbprintList = r.Result.Members("ThumbprintList").Select(m => m.Value).ToList(),
                CreateDate = r.Result.Date("CreateDate"),
                Tags = IamXml.ReadTags(r.Result),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<CreateOpenIDConnectProviderResponse> CreateOpenIDConnectProviderAsync(CreateOpenIDConnectProviderRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("Url", Required(Check(request).Url, "Url", "CreateOpenIDConnectProvider"));
            AddMembers(p, "ClientIDList", request.ClientIDList);
            AddMembers(p, "ThumbprintList", request.ThumbprintList);
            p.AddTags(request.Tags);
            var r = await _transport.InvokeAsync("CreateOpenIDConnectProvider", p, cancellationToken).ConfigureAwait(false);
            return new CreateOpenIDConnectProviderResponse { OpenIDConnectProviderArn = r.Result.Text("OpenIDConnectProviderArn"), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<AddClientIDToOpenIDConnectProviderResponse> AddClientIDToOpenIDConnectProviderAsync(AddClientIDToOpenIDConnectProviderRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("OpenIDConnectProviderArn", Required(Check(request).OpenIDConnectProviderArn, "OpenIDConnectProviderArn", "AddClientIDToOpenIDConnectProvider"))
                .Add("ClientID", Required(request.ClientID, "ClientID", "AddClientIDToOpenIDConnectProvider"));
            var r = await _transport.InvokeAsync("AddClientIDToOpenIDConnectProvider", p, cancellationToken).ConfigureAwait(false);
            return new AddClientIDToOpenIDConnectProviderResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<UpdateOpenIDConnectProviderThumbprintResponse> UpdateOpenIDConnectProviderThumbprintAsync(UpdateOpenIDConnectProviderThumbprintRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("OpenIDConnectProviderArn", Required(Check(request).OpenIDConnectProviderArn, "OpenIDConnectProviderArn", "UpdateOpenIDConnectProviderThumbprint"));
            AddMembers(p, "ThumbprintList", request.ThumbprintList);
            var r = await _transport.InvokeAsync("UpdateOpenIDConnectProviderThumbprint", p, cancellationToken).ConfigureAwait(false);
            return new UpdateOpenIDConnectProviderThumbprintResponse { RequestId = r.RequestId };
        }

        private static void AddMembers(Params p, string listName, IList<string>? values)
        {
            if (values == null)
            {
                return;
            }

            for (int i = 0; i < values.Count; i++)
            {
                p.Add(listName + ".member." + (i + 1).ToString(CultureInfo.InvariantCulture), values[i]);
            }
        }

        private static Role ReadRole(XElement? e)
        {
            string? duration = e.TextOrNull("MaxSessionDuration");
            var role = new Role
            {
                RoleName = e.Text("RoleName"),
                RoleId = e.Text("RoleId"),
                Arn = e.Text("Arn"),
                Path = e.TextOrNull("Path") ?? "/",
                CreateDate = e.Date("CreateDate"),
                AssumeRolePolicyDocument = IamXml.DecodePolicyDocument(e.Text("AssumeRolePolicyDocument")),
                Description = e.TextOrNull("Description"),
                MaxSessionDuration = int.TryParse(duration, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seconds) ? seconds : (int?)null,
                Tags = IamXml.ReadTags(e),
            };
            XElement? boundary = e.Child("PermissionsBoundary");
            if (boundary != null && !string.IsNullOrEmpty(boundary.Text("PermissionsBoundaryArn")))
            {
                role.PermissionsBoundary = new AttachedPermissionsBoundary
                {
                    PermissionsBoundaryArn = boundary.Text("PermissionsBoundaryArn"),
                    PermissionsBoundaryType = boundary.Text("PermissionsBoundaryType"),
                };
            }

            return role;
        }
    }
}
