using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OrleansKb.Http;

/// <summary>Refuses a request to the spaces unless it carries the API key as a bearer token (<c>Authorization: Bearer KEY</c>).</summary>
internal sealed class ApiKeyFilter(string apiKey) : IEndpointFilter
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + apiKey);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var given = Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers.Authorization.ToString());

        // Compared in constant time: how long a refusal takes says nothing about the key.
        if (CryptographicOperations.FixedTimeEquals(given, _expected))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(Problems.Status(StatusCodes.Status401Unauthorized,
            given.Length == 0 ? "this silo's HTTP API needs its API key, sent as 'Authorization: Bearer KEY'" : "the API key given is not this silo's"));
    }
}
