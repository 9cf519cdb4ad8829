import { describe, expect, it } from 'vitest'
import { compileFilterPattern, FilterPatternError } from '../../src/aws/logs/filter-pattern.js'

const matches = (pattern: string, message: string) => compileFilterPattern(pattern)(message)
const rejects = (pattern: string) => {
  try {
    compileFilterPattern(pattern)
  } catch (e) {
    expect(e).toBeInstanceOf(FilterPatternError)
    return (e as Error).message
  }
  throw new Error(`pattern ${pattern} was accepted`)
}

describe('filter patterns: terms', () => {
  it.each([
    ['', 'anything', true],
    ['   ', 'anything', true],
    ['ERROR', 'an ERROR here', true],
    ['ERROR', 'an error here', false],
    ['ERROR timeout', 'ERROR: request timeout', true],
    ['ERROR timeout', 'ERROR only', false],
    ['"connection refused"', 'dial: connection refused', true],
    ['"connection refused"', 'connection was refused', false],
    ['"a \\"quoted\\" word"', 'say a "quoted" word', true],
    ['?ERROR ?WARN', 'WARN low disk', true],
    ['?ERROR ?WARN', 'INFO all good', false],
    ['ERROR -ARGUMENTS', 'ERROR in ARGUMENTS', false],
    ['ERROR -ARGUMENTS', 'ERROR in parsing', true],
    ['-DEBUG', 'INFO started', true],
    ['-DEBUG', 'DEBUG noise', false],
    ['?"disk full" ?OOM', 'the disk full again', true],
    ['app ?ERROR ?FATAL', 'app FATAL crash', true],
    ['app ?ERROR ?FATAL', 'app INFO fine', false],
    ['app ?ERROR ?FATAL', 'web FATAL crash', false],
    ['%ERR(OR)?\\d+%', 'ERR42 happened', true],
    ['%^GET /health%', 'POST /health', false],
    ['status_code_500', 'x status_code_500 y', true],
    ['user-service', 'from user-service: hi', true],
  ])('%j on %j → %s', (pattern, message, want) => {
    expect(matches(pattern, message)).toBe(want)
  })

  it('rejects characters AWS rejects in unquoted terms', () => {
    expect(rejects('Status: timeout')).toBe("Invalid character(s) in term ':'")
    expect(rejects('a,b')).toBe("Invalid character(s) in term ','")
    expect(rejects('fail(')).toBe("Invalid character(s) in term '('")
    expect(rejects('user@example.com')).toBe("Invalid character(s) in term '@'")
    expect(rejects('"unterminated')).toBe('Invalid filter pattern')
    expect(rejects('%unterminated')).toBe('Invalid filter pattern')
    expect(rejects('"a"b')).toBe("Invalid character(s) in term 'b'")
  })
})

describe('filter patterns: JSON', () => {
  const ev = JSON.stringify({ level: 'error', code: 500, latency: 120.5, user: { name: 'ann', id: '42' }, tags: ['a', 'b'], ok: false, gone: null, 'detail-type': 'X' })
  it.each([
    ['{ $.level = "error" }', true],
    ['{ $.level = error }', true],
    ['{ $.level = "ERROR" }', false],
    ['{ $.level != "error" }', false],
    ['{ $.level != "info" }', true],
    ['{ $.code = 500 }', true],
    ['{ $.code != 200 }', true],
    ['{ $.code > 499 && $.code < 600 }', true],
    ['{ $.code >= 500 }', true],
    ['{ $.code <= 499 }', false],
    ['{ $.latency > 100 }', true],
    ['{ $.user.name = "an*" }', true],
    ['{ $.user.name = "*n" }', true],
    ['{ $.user.name = "b*" }', false],
    ['{ $.user.id = 42 }', true],
    ['{ $.tags[0] = "a" }', true],
    ['{ $.tags[1] = "a" }', false],
    ['{ $.tags[*] = "b" }', true],
    ['{ $.level = "info" || $.code = 500 }', true],
    ['{ ($.level = "info" || $.code = 500) && $.user.name = "ann" }', true],
    ['{ ($.level = "info" || $.code = 404) && $.user.name = "ann" }', false],
    ['{ $.user EXISTS }', true],
    ['{ $.missing EXISTS }', false],
    ['{ $.missing NOT EXISTS }', true],
    ['{ $.ok IS FALSE }', true],
    ['{ $.ok IS TRUE }', false],
    ['{ $.gone IS NULL }', true],
    ['{ $.detail-type = "X" }', true],
    ['{ $.missing != "x" }', false],
    ['{$.code=500}', true],
  ])('%s', (pattern, want) => {
    expect(matches(pattern, ev)).toBe(want)
  })

  it('never matches a message that is not JSON', () => {
    expect(matches('{ $.level = "error" }', 'level=error')).toBe(false)
    expect(matches('{ $.x NOT EXISTS }', 'plain text')).toBe(false)
    expect(matches('{ $.x NOT EXISTS }', '{broken')).toBe(false)
  })

  it('rejects malformed JSON patterns', () => {
    expect(rejects('{ $.level = "error" ')).toBe("If a filter pattern starts with '{' it must end with '}'")
    expect(rejects('{ }')).toBe('Invalid filter pattern')
    expect(rejects('{ $.level = }')).toBe('Invalid filter pattern')
    expect(rejects('{ $.level > "a" }')).toBe('Invalid filter pattern')
    expect(rejects('{ ($.a = 1 }')).toBe('Invalid filter pattern')
    expect(rejects('{ $.a = 1 && }')).toBe('Invalid filter pattern')
    expect(rejects('{ $.a = 1 $.b = 2 }')).toBe('Invalid filter pattern')
    expect(rejects('{ $. = 1 }')).toMatch(/^Invalid character\(s\) in term/)
    expect(rejects('{ level = 1 }')).toBe('Invalid filter pattern')
    expect(rejects('{ $.a NOT 1 }')).toBe('Invalid filter pattern')
  })

})

describe('filter patterns: space-delimited', () => {
  const apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'
  it.each([
    ['[ip, user, username, timestamp, request, status_code, bytes]', true],
    ['[ip, user, username, timestamp, request, status_code, bytes, extra]', false],
    ['[ip, user]', false],
    ['[ip, ...]', true],
    ['[..., status_code, bytes]', true],
    ['[..., status_code = 404, bytes]', true],
    ['[..., status_code = 4*, bytes]', true],
    ['[..., status_code = 5*, bytes]', false],
    ['[..., status_code != 200, bytes > 1000]', true],
    ['[..., status_code, bytes < 1000]', false],
    ['[ip = 127.0.0.1, ...]', true],
    ['[ip, user, username = "frank", ...]', true],
    ['[ip, user, username, timestamp = "10/Oct/2000*", request = "GET *", ...]', true],
    ['[..., status_code = 404 || status_code = 410, bytes]', true],
    ['[..., status_code = 200 || status_code = 410, bytes]', false],
    ['[ip, ..., bytes >= 1534]', true],
  ])('%s', (pattern, want) => {
    expect(matches(pattern, apache)).toBe(want)
  })

  it('rejects malformed ones', () => {
    expect(rejects('[ip, user')).toBe('Invalid filter pattern')
    expect(rejects('[ip,, user]')).toBe('Invalid filter pattern')
    expect(rejects('[ip, status > abc]')).toBe('Invalid filter pattern')
    expect(rejects('[ip, 3x]')).toBe('Invalid filter pattern')
    expect(rejects('[]')).toBe('Invalid filter pattern')
  })
})
