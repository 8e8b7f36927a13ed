using System.Globalization;
using Microsoft.Extensions.Options;

namespace OrleansKb.Grains;

/// <summary>Refuses <see cref="MatchOptions"/> a silo cannot run with, in one line naming each setting as the silo's configuration does.</summary>
internal sealed class MatchOptionsValidation : IValidateOptions<MatchOptions>
{
    public ValidateOptionsResult Validate(string? name, MatchOptions options)
    {
        var failures = new List<string>();
        Check(options.MaxSolutions >= 1, "MaxSolutions", "at least 1", options.MaxSolutions);
        Check(options.MaxSeconds > 0, "MaxSeconds", "more than 0", options.MaxSeconds);
        Check(options.TransformMaxSolutions >= 1, "TransformMaxSolutions", "at least 1", options.TransformMaxSolutions);
        Check(options.TransformMaxSeconds > 0, "TransformMaxSeconds", "more than 0", options.TransformMaxSeconds);
        Check(options.SliceMilliseconds >= 1, "SliceMilliseconds", "at least 1", options.SliceMilliseconds);
        Check(options.IdleSeconds > 0, "IdleSeconds", "more than 0", options.IdleSeconds);
        Check(options.MaxOpenPerSpace >= 1, "MaxOpenPerSpace", "at least 1", options.MaxOpenPerSpace);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool valid, string setting, string bound, IFormattable value)
        {
            if (!valid)
            {
                failures.Add($"Match:{setting} must be {bound}, not {value.ToString(null, CultureInfo.InvariantCulture)}");
            }
        }
    }
}
