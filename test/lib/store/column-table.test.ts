import { describe, expect, it } from 'vitest'
import { columnNames, columnsFrom, ddlColumns, rowMaker, valuesOf } from '@/lib/store/column-table'

const { required, optional } = columnsFrom<{ a: string; n?: number }>()
const table = [required('name', 'String', (i) => i.a), optional('count', 'UInt8 DEFAULT 0', 0, (i) => i.n)] as const

describe('a column table', () => {
  it('makes rows that leave out what an input does not say, and values with the default in its place', () => {
    const row = rowMaker(table)
    const values = valuesOf(table)
    expect(row({ a: 'x' })).toEqual({ name: 'x' })
    expect(row({ a: 'x', n: 3 })).toEqual({ name: 'x', count: 3 })
    expect(values(row({ a: 'x' }))).toEqual(['x', 0])
    expect(values({ name: 'y', count: 2 })).toEqual(['y', 2])
    expect(columnNames(table)).toEqual(['name', 'count'])
    expect(ddlColumns(table)).toEqual([
      ['name', 'String'],
      ['count', 'UInt8 DEFAULT 0'],
    ])
  })

  it('refuses a column name that is not a plain identifier, since the row and values functions are compiled from the names', () => {
    const odd = [required('x) || process.exit(', 'String', (i) => i.a)] as const
    expect(() => rowMaker(odd)).toThrow(/not a plain identifier/)
    expect(() => valuesOf(odd)).toThrow(/not a plain identifier/)
  })
})
