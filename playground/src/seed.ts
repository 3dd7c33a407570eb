import { Media } from './entities/media'
import { User } from './entities/user'
import { LogEntry } from './entities/log-entry'

const words = ['koan', 'river', 'stone', 'cloud', 'garden', 'quiet', 'lantern', 'bamboo']

/** Sample rows of the playground's entities. */
export function sampleRows() {
  const media = Array.from({ length: 120 }, (_, i) => Object.assign(new Media(), {
    id: `media-${i}`, title: `${words[i % 8]} ${words[(i * 3) % 8]}`, description: `A short piece about ${words[(i * 5) % 8]}.`,
    contentUrl: `https://media.example/${i}.mp4`,
  }))
  const users = Array.from({ length: 25 }, (_, i) => Object.assign(new User(), {
    id: `user-${i}`, email: `user${i}@example.com`, passwordHash: `scrypt$${(i * 7919).toString(16)}`,
  }))
  const logs = Array.from({ length: 400 }, (_, i) => Object.assign(new LogEntry(), {
    id: `log-${i}`, message: `request ${i} served in ${(i * 37) % 250} ms`, timestamp: new Date(Date.UTC(2025, 9, 2, 15, 30, i % 60)),
  }))
  return { media, users, logs }
}
