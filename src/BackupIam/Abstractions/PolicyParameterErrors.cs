using System;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Names the parameter that carried a policy whose JSON or grammar is refused (issue 15: "The policy is not valid
    /// JSON ... at line 1, column 37" said nothing of -PolicyDocument). The ErrorId, line and column stay the same.
    /// </summary>
    internal static class PolicyParameterErrors
    {
        public static T Check<T>(string parameterName, Func<T> parse)
        {
            try
            {
                return parse();
            }
            catch (PolicyFormatException ex)
            {
                throw new PolicyFormatException(ex.ErrorId, "-" + parameterName + ": " + ex.Message, ex.StatementIndex, ex.Sid, ex.Field, ex.Line, ex.Column, ex);
            }
        }
    }
}
