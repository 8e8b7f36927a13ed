using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OrleansKb.Http;

/// <summary>Refuses a request to the spaces unless it carries the API key as a bearer token (<c>Authorization: Bearer KEY</c>).</summary>
internal sealed class ApiKeyFilter(string apiKey) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var token = header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;

        // The hashes are compared, in constant time: how long a refusal takes says nothing of the key, not even its length.
        if (token is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _expected))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(Problems.Status(StatusCodes.Status401Unauthorized,
            header.Length == 0 ? "this silo's HTTP API needs its API key, sent as 'Authorization: Bearer KEY'" : "the API key given is not this silo's"));
    }
}
