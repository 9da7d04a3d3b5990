namespace BackupIam.Engine.Simulation
{
    /// <summary>The outcome of evaluating one request against a set of policies.</summary>
    public enum Decision
    {
        /// <summary>An Allow statement matched and no Deny statement did.</summary>
        Allowed,

        /// <summary>A Deny statement matched. Nothing can override it.</summary>
        ExplicitDeny,

        /// <summary>No statement allowed the request (the default).</summary>
        ImplicitDeny,
    }
}
