/** An invalid filter pattern; the message is AWS's text (the handler answers InvalidParameterException with it). */
export class FilterPatternError extends Error {}
