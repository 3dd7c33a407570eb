import { formatReport } from 'koan-backup'
import { registry } from 'koan-backup/registry'
import { Media } from './entities/media'
import { User } from './entities/user'

// the boot report: the same inventory the build printed, from the generated registry
console.log(formatReport(registry))

const media = Object.assign(new Media(), { id: 'm1', title: 'Koan' })
const user = Object.assign(new User(), { id: 'u1', email: 'ada@example.com' })
const included = registry.entities.filter((e) => e.status === 'included').map((e) => e.name)
console.log(`\nplayground: ${registry.entities.length} entities scanned, ${included.length} backed up (${included.join(', ')}); sample ${media.title}/${user.email}`)
