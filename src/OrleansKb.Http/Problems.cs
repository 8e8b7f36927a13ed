using Microsoft.AspNetCore.Http;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Http;

/// <summary>
/// Errors as RFC 9457 problem details (<c>application/problem+json</c>), with the command line's words
/// for them (<see cref="KbErrors.Describe"/>) as the detail, and a status that says whose fault it is.
/// </summary>
internal static class Problems
{
    /// <summary>The status for <paramref name="failure"/>: 4xx for what the request got wrong, 503 when the cluster or the store cannot serve it now, 500 otherwise.</summary>
    public static int StatusFor(Exception failure) => failure switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        OversizedAtomException => StatusCodes.Status413PayloadTooLarge,
        MettaSyntaxException or InvalidAtomBatchException or MalformedEncodingException or InvalidDataException or ArgumentException or System.Text.Json.JsonException => StatusCodes.Status400BadRequest,
        MatchFailedException => StatusCodes.Status422UnprocessableEntity,
        LoadInterruptedException or KbConnectionException or SpaceStorageException or TimeoutException or IOException
            or SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult For(Exception failure)
    {
        var status = StatusFor(failure);
        var extensions = new Dictionary<string, object?>();
        switch (failure)
        {
            case MettaSyntaxException syntax:
                (extensions["line"], extensions["column"]) = (syntax.Line, syntax.Column);
                break;
            case LoadInterruptedException load:
                (extensions["atoms_acknowledged"], extensions["atoms_added"]) = (load.AtomsAcknowledged, load.AtomsAdded);
                break;
        }

        // A syntax error's message is FILE:LINE:COLUMN: reason, as the command line prints it.
        var detail = failure switch
        {
            MettaSyntaxException or BadHttpRequestException => failure.Message,
            System.Text.Json.JsonException json => $"the request body is not the JSON object asked for: {json.Message}",
            _ => KbErrors.Describe(failure),
        };
        return Results.Problem(detail, statusCode: status, title: Title(status), extensions: extensions);
    }

    public static IResult Status(int status, string detail) => Results.Problem(detail, statusCode: status, title: Title(status));

    private static string Title(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is not valid",
        StatusCodes.Status401Unauthorized => "An API key is needed",
        StatusCodes.Status413PayloadTooLarge => "Too large",
        StatusCodes.Status422UnprocessableEntity => "The match was stopped",
        StatusCodes.Status503ServiceUnavailable => "The cluster cannot serve this now",
        _ => "The request failed",
    };
}
