using Microsoft.AspNetCore.Http;
using OrleansKb.Client;
using OrleansKb.Text;

namespace OrleansKb.Http;

/// <summary>
/// Errors as RFC 9457 problem details (<c>application/problem+json</c>): the status follows from the
/// client library's classification (<see cref="KbErrors.Classify"/>), and the detail is the line the
/// command line prints.
/// </summary>
internal static class Problems
{
    /// <summary>The problem type of a space whose stored data is damaged: a 500 that retrying will not cure.</summary>
    public const string SpaceDamagedType = "urn:orleanskb:problem:space-damaged";

    /// <summary>The status for <paramref name="failure"/>: 4xx for what the request got wrong or a match stopped, 503 when the cluster cannot serve it now, 500 otherwise.</summary>
    public static int StatusFor(Exception failure) => Describe(failure).Status;

    public static IResult For(Exception failure)
    {
        var (status, detail, type) = Describe(failure);
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

        return Results.Problem(detail, statusCode: status, title: type is null ? Title(status) : "The space's stored data is damaged", type: type, extensions: extensions);
    }

    public static IResult Status(int status, string detail) => Results.Problem(detail, statusCode: status, title: Title(status));

    /// <summary>The status, detail and problem type (null for the status's own) of a failure: the request's framing is the web server's to judge, the rest the client library's.</summary>
    private static (int Status, string Detail, string? Type) Describe(Exception failure) => failure switch
    {
        BadHttpRequestException bad => (bad.StatusCode, bad.Message, null),
        System.Text.Json.JsonException json => (StatusCodes.Status400BadRequest, $"the request body is not the JSON object asked for: {json.Message}", null),
        _ => Describe(KbErrors.Classify(failure)),
    };

    private static (int Status, string Detail, string? Type) Describe(KbError error) => error.Kind switch
    {
        KbErrorKind.UserInput => (StatusCodes.Status400BadRequest, error.Message, null),
        KbErrorKind.MatchStopped => (StatusCodes.Status422UnprocessableEntity, error.Message, null),
        KbErrorKind.Unavailable or KbErrorKind.Cancelled => (StatusCodes.Status503ServiceUnavailable, error.Message, null),
        KbErrorKind.Damaged => (StatusCodes.Status500InternalServerError, error.Message, SpaceDamagedType),
        KbErrorKind.NoMemory => (StatusCodes.Status507InsufficientStorage, error.Message, null),
        _ => (StatusCodes.Status500InternalServerError, error.Message, null),
    };

    private static string Title(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is not valid",
        StatusCodes.Status401Unauthorized => "An API key is needed",
        StatusCodes.Status413PayloadTooLarge => "Too large",
        StatusCodes.Status422UnprocessableEntity => "The match was stopped",
        StatusCodes.Status503ServiceUnavailable => "The cluster cannot serve this now",
        StatusCodes.Status507InsufficientStorage => "A silo has no memory for this",
        _ => "The request failed",
    };
}
