// The part of autocannon's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
  }

  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    timeout?: number
    method?: 'GET' | 'POST' | 'HEAD'
    headers?: Record<string, string>
    body?: string
    idReplacement?: boolean
    /** One entry here: setupRequest gives each request its own body. */
    requests?: Array<{ setupRequest: (request: { body?: string }) => { body?: string } }>
    title?: string
  }

  interface Result {
    title?: string
    url: string
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    statusCodeStats: Record<string, { count: number }>
  }

  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
