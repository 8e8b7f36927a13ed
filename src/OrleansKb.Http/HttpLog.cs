using Microsoft.Extensions.Logging;

namespace OrleansKb.Http;

/// <summary>What the HTTP API logs: failures that are the silo's, not the request's.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed after its answer began; the connection was aborted so the client cannot take the part it got for the whole")]
    public static partial void AnswerAborted(ILogger logger, Exception exception, string method, string path);
}
