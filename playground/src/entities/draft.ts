import { Entity } from 'koan-backup'

// deliberately uncovered: the build warns about it, with its file:line:col
export class Draft extends Entity<Draft> {
  id = ''
  body = ''
}
